/* Distances and matching for the nearest-office finder: pure functions, no DOM.
 * The haversine formula is the same as plugins/portal_offices/geo.py; both are tested against
 * tests/data/geo-vectors.json. Loaded as a classic script (window.PortalGeo) or with require(). */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.PortalGeo = api; }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var EARTH_RADIUS_KM = 6371.0;
  var RAD = Math.PI / 180;

  /** Great-circle distance in km between two points in decimal degrees. */
  function haversineKm(lat1, lon1, lat2, lon2) {
    var p1 = lat1 * RAD, p2 = lat2 * RAD;
    var dlat = p2 - p1, dlon = (lon2 - lon1) * RAD;
    var a = Math.pow(Math.sin(dlat / 2), 2) + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dlon / 2), 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, Math.max(0, a))));
  }

  /** Estimated minutes for a straight-line distance (same rule as geo.travel_minutes). */
  function travelMinutes(km, speedKmh, roadFactor) {
    return Math.max(0, Math.ceil(km * roadFactor / speedKmh * 60 - 1e-9));
  }

  /** Lower case without diacritics, đ → d, spaces collapsed: "Phường Đông Hòa" → "phuong dong hoa". */
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  /** Whether an office takes a procedure: accepts is "all", "non-geographic" or a list of fields.
   *  The same rule as portal_offices.accepts_rule; both are checked against tests/data/accepts-vectors.json. */
  function accepts(office, procedure) {
    if (!procedure) { return true; }
    if (office.accepts === "all") { return true; }
    if (office.accepts === "non-geographic") { return Boolean(procedure.non_geographic); }
    return Array.isArray(office.accepts) && office.accepts.indexOf(procedure.field) >= 0;
  }

  /** Offices that take the procedure, nearest first, each as {office, km}. */
  function rank(offices, lat, lon, procedure) {
    return offices.filter(function (o) { return accepts(o, procedure); })
      .map(function (o) { return {office: o, km: haversineKm(lat, lon, o.lat, o.lon)}; })
      .sort(function (a, b) { return a.km - b.km || (a.office.name < b.office.name ? -1 : 1); });
  }

  /** Wards whose name, pre-2025 names or district contain every word of the query. */
  function findWards(wards, query, limit) {
    var words = fold(query).split(" ").filter(Boolean);
    if (!words.length) { return []; }
    var found = [];
    wards.forEach(function (w) {
      var names = [w.name].concat(w.old_names || []);
      var hay = names.map(fold);
      var district = fold(w.district);
      var hit = -1;
      for (var i = 0; i < hay.length && hit < 0; i++) {
        var all = true;
        for (var j = 0; j < words.length; j++) {
          if ((hay[i] + " " + district).indexOf(words[j]) < 0) { all = false; break; }
        }
        if (all) { hit = i; }
      }
      if (hit >= 0) {
        // Whole-name matches of the current name first, then any current name, then old names.
        var score = (hit === 0 ? 0 : 2) + ((" " + hay[hit] + " ").indexOf(" " + words.join(" ") + " ") >= 0 ? 0 : 1);
        found.push({ward: w, matched: names[hit], old: hit > 0, score: score});
      }
    });
    found.sort(function (a, b) { return a.score - b.score || a.ward.name.localeCompare(b.ward.name, "vi"); });
    return found.slice(0, limit || 20);
  }

  return {EARTH_RADIUS_KM: EARTH_RADIUS_KM, haversineKm: haversineKm, travelMinutes: travelMinutes,
    fold: fold, accepts: accepts, rank: rank, findWards: findWards};
}));

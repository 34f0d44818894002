/* The nearest-office finder (/dia-diem/gan-nhat/): a position from the browser's geolocation, a
 * ward picked from a list or a click on the map; the nearest open offices that take the chosen
 * procedure. Everything is computed here: the position never leaves the device. The office,
 * ward and procedure data come from one small JSON file written at build time. */
(function () {
  "use strict";
  var root = document.getElementById("finder");
  if (!root || !window.PortalGeo || !window.fetch) { return; }
  var G = window.PortalGeo;
  var SHOWN = 10;
  var $ = function (id) { return document.getElementById(id); };
  var state = {data: null, point: null, label: "", proc: null, procs: [], bySlug: {}};
  var map = null, you = null;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function km(x) { return x.toFixed(x < 10 ? 1 : 0).replace(".", ","); }
  function minutes(x) { return G.travelMinutes(x, state.data.speed_kmh, state.data.road_factor); }

  // --- procedures: a select narrowed by a search box -----------------------------------------
  function fillProcedures(query) {
    var select = $("finder-proc");
    var words = G.fold(query).split(" ").filter(Boolean);
    var current = select.value;
    while (select.options.length > 1) { select.remove(1); }
    Array.prototype.slice.call(select.querySelectorAll("optgroup")).forEach(function (g) { g.remove(); });
    var groups = {}, count = 0;
    state.procs.forEach(function (p) {
      var hay = p.key;
      if (p.slug !== current && !words.every(function (w) { return hay.indexOf(w) >= 0; })) { return; }
      if (!groups[p.field]) { groups[p.field] = select.appendChild(el("optgroup", {label: p.field})); }
      groups[p.field].appendChild(el("option", {value: p.slug, text: p.title}));
      count += 1;
    });
    select.value = current;
    $("finder-proc-note").textContent = words.length ? count + " thủ tục khớp với từ khóa." : "";
  }

  /** Read the procedure list the first time the citizen uses the filter (or the URL names one). */
  function loadProcedures() {
    if (!state.procsLoading) {
      $("finder-proc-note").textContent = "Đang tải danh sách thủ tục…";
      state.procsLoading = fetch(state.data.procedures_url).then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      }).then(function (d) {
        state.procs = d.procedures.map(function (p) {
          var proc = {slug: p[0], title: p[1], field: d.fields[p[2]], non_geographic: Boolean(p[3])};
          proc.key = G.fold(proc.title + " " + proc.field + " " + proc.slug);
          state.bySlug[proc.slug] = proc;
          return proc;
        });
        $("finder-proc-note").textContent = "";
        fillProcedures($("finder-proc-q").value);
      }).catch(function () {
        state.procsLoading = null;
        $("finder-proc-note").textContent = "Không tải được danh sách thủ tục; đang hiện mọi địa điểm.";
      });
    }
    return state.procsLoading;
  }

  function chooseProcedure(slug, fromUrl) {
    var p = state.bySlug[slug] || null;
    state.proc = p;
    $("finder-proc").value = p ? p.slug : "";
    if (fromUrl && slug && !p) {
      $("finder-proc-note").textContent = "Không tìm thấy thủ tục “" + slug + "” (có thể đã bãi bỏ); đang hiện mọi địa điểm.";
    }
    var url = new URL(window.location.href);
    if (p) { url.searchParams.set("thu-tuc", p.slug); } else { url.searchParams.delete("thu-tuc"); }
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    render();
  }

  // --- where the citizen is ---------------------------------------------------------------------
  function setPoint(lat, lon, label) {
    state.point = {lat: lat, lon: lon};
    state.label = label;
    $("finder-position").textContent = "Đang tính khoảng cách từ " + label + ".";
    render();
  }

  function showWards() {
    var list = $("finder-ward-results");
    var q = $("finder-ward-q").value;
    list.textContent = "";
    if (!G.fold(q)) { return; }
    var found = G.findWards(state.data.wards, q, 10);
    if (!found.length) {
      list.appendChild(el("li", {text: "Không tìm thấy phường/xã nào khớp với “" + q + "”."}));
      return;
    }
    found.forEach(function (f) {
      var w = f.ward;
      var text = w.name + (w.district ? " (" + w.district + ")" : "") + (f.old ? " – tên cũ: " + f.matched : "");
      var b = el("button", {type: "button", "class": "link-button", "data-ward": w.name, text: text});
      b.addEventListener("click", function () { pickWard(w); });
      list.appendChild(el("li", {}, [b]));
    });
  }

  function pickWard(w) {
    $("finder-ward-q").value = w.name;
    $("finder-ward-results").textContent = "";
    setPoint(w.lat, w.lon, "trung tâm " + w.name + " (tọa độ đại diện của phường/xã)");
  }

  function locate() {
    var pos = $("finder-position");
    if (!navigator.geolocation) {
      pos.textContent = "Trình duyệt này không cho biết vị trí. Hãy chọn phường/xã hoặc bấm vào bản đồ.";
      return;
    }
    pos.textContent = "Đang lấy vị trí…";
    navigator.geolocation.getCurrentPosition(function (p) {
      setPoint(p.coords.latitude, p.coords.longitude, "vị trí của bạn");
    }, function (err) {
      pos.textContent = (err.code === 1 ? "Bạn chưa cho phép dùng vị trí." : "Không lấy được vị trí.") +
        " Hãy chọn phường/xã hoặc bấm vào bản đồ.";
    }, {enableHighAccuracy: false, timeout: 15000, maximumAge: 60000});
  }

  // --- results ------------------------------------------------------------------------------------
  function render() {
    var summary = $("finder-summary"), list = $("finder-results");
    summary.textContent = "";
    list.textContent = "";
    if (!state.point) {
      summary.appendChild(el("p", {text: "Chưa chọn vị trí."}));
      return;
    }
    var d = state.data;
    var ranked = G.rank(d.offices, state.point.lat, state.point.lon, state.proc);
    var forProc = state.proc ? " nhận thủ tục “" + state.proc.title + "”" : "";
    if (!ranked.length) {
      summary.appendChild(el("p", {text: "Chưa có địa điểm đang mở nào" + forProc + "."}));
      updateMap([]);
      return;
    }
    var near = ranked.filter(function (r) { return r.km <= d.goal_km; });
    if (!near.length) {
      var gap = el("p", {"class": "finder-gap"}, [
        el("strong", {text: "Không có địa điểm nào" + forProc + " trong vòng " + d.goal_km + " km quanh vị trí này."}),
        " Địa điểm gần nhất cách " + km(ranked[0].km) + " km (khoảng " + minutes(ranked[0].km) + " phút). " +
        "Đây chính là khoảng trống mà ",
        d.roadmap_url ? el("a", {href: d.roadmap_url, text: "lộ trình của tỉnh"}) : "lộ trình của tỉnh",
        " đang thu hẹp: mục tiêu là mọi người dân đến được một địa điểm trong vòng " + d.goal_km + " km hoặc " +
        d.goal_minutes + " phút.",
      ]);
      summary.appendChild(gap);
    } else {
      summary.appendChild(el("p", {text: near.length + " địa điểm" + forProc + " trong vòng " + d.goal_km + " km. Gần nhất: " +
        ranked[0].office.name + ", " + km(ranked[0].km) + " km."}));
    }
    var shown = ranked.slice(0, Math.max(SHOWN, near.length));
    shown.forEach(function (r, i) {
      var o = r.office, mins = minutes(r.km);
      var badges = [];
      if (r.km <= d.goal_km) { badges.push(el("span", {"class": "badge badge--near", text: "Trong " + d.goal_km + " km"})); }
      if (mins <= d.goal_minutes) { badges.push(el("span", {"class": "badge badge--near", text: "Trong " + d.goal_minutes + " phút"})); }
      list.appendChild(el("li", {"class": "finder-item" + (i === 0 ? " finder-item--first" : ""), "data-slug": o.slug,
        "data-km": r.km.toFixed(3)}, [
        el("a", {href: o.url, text: o.name}), " ", el("span", {"class": "meta", text: "(" + state.data.kind_labels[o.kind] + ")"}),
        el("br"), el("span", {"class": "meta", text: o.address + " – " + o.ward}), el("br"),
        el("strong", {text: km(r.km) + " km"}), " · khoảng " + mins + " phút "].concat(badges)));
    });
    if (ranked.length > shown.length) {
      summary.appendChild(el("p", {"class": "meta", text: "Hiện " + shown.length + " trên " + ranked.length + " địa điểm gần nhất."}));
    }
    updateMap(shown.slice(0, 3));
  }

  // --- map (Leaflet): offices and the citizen's position; tiles only if the site sets a server --
  function square(cls) {
    return window.L.divIcon({className: "finder-marker " + cls, iconSize: [14, 14], iconAnchor: [7, 7], popupAnchor: [0, -7]});
  }

  function startMap() {
    var L = window.L, box = $("finder-map");
    if (!L || !box) { return; }
    var tiles = root.getAttribute("data-tiles");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Bản đồ các địa điểm; bấm vào bản đồ để chọn vị trí");
    map = L.map(box, {zoomControl: false, attributionControl: Boolean(tiles)});
    L.control.zoom({zoomInTitle: "Phóng to", zoomOutTitle: "Thu nhỏ"}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);
    if (tiles) {
      map.attributionControl.setPrefix("");
      var failed = false;
      L.tileLayer(tiles, {maxZoom: 19, attribution: escapeHtml(root.getAttribute("data-attribution") || "")})
        .on("tileerror", function () {
          if (failed) { return; }
          failed = true;
          $("finder-map-note").textContent = "Không tải được bản đồ nền; các địa điểm trên bản đồ và danh sách vẫn dùng được.";
        }).addTo(map);
    }
    state.data.wards.forEach(function (w) {
      L.circleMarker([w.lat, w.lon], {radius: 3, weight: 1, color: "#505a5f", fillOpacity: 0.4, interactive: false}).addTo(map);
    });
    var bounds = [];
    state.data.offices.forEach(function (o) {
      bounds.push([o.lat, o.lon]);
      L.marker([o.lat, o.lon], {icon: square("finder-marker--" + o.kind), keyboard: false, title: o.name, alt: o.name})
        .bindPopup(function () {
          var p = el("div", {}, [el("a", {href: o.url, text: o.name}), el("br"), o.address]);
          if (state.point) { p.appendChild(el("p", {text: km(G.haversineKm(state.point.lat, state.point.lon, o.lat, o.lon)) + " km"})); }
          return p;
        }).addTo(map);
    });
    if (bounds.length) { map.fitBounds(bounds, {padding: [20, 20], maxZoom: 14}); } else { map.setView([10.98, 106.65], 10); }
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, "điểm bạn chọn trên bản đồ"); });
  }

  function updateMap(nearest) {
    if (!map) { return; }
    var L = window.L;
    if (you) { map.removeLayer(you); you = null; }
    if (!state.point) { return; }
    you = L.marker([state.point.lat, state.point.lon], {keyboard: false, title: "Vị trí của bạn", alt: "Vị trí của bạn",
      icon: L.divIcon({className: "finder-marker finder-marker--you", iconSize: [18, 18], iconAnchor: [9, 9]})}).addTo(map);
    var pts = [[state.point.lat, state.point.lon]].concat(nearest.map(function (r) { return [r.office.lat, r.office.lon]; }));
    map.fitBounds(pts, {padding: [30, 30], maxZoom: 15});
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  // --- start ------------------------------------------------------------------------------------
  function init(data) {
    state.data = data;
    root.hidden = false;
    $("finder-nojs").hidden = true;
    ["focus", "mousedown", "keydown"].forEach(function (ev) {
      $("finder-proc-q").addEventListener(ev, loadProcedures);
      $("finder-proc").addEventListener(ev, loadProcedures);
    });
    $("finder-proc-q").addEventListener("input", function (e) { if (state.procs.length) { fillProcedures(e.target.value); } });
    $("finder-proc").addEventListener("change", function (e) { chooseProcedure(e.target.value); });
    if (!data.wards.length) { root.querySelector(".finder-ward").hidden = true; }
    $("finder-ward-q").addEventListener("input", showWards);
    $("finder-ward-q").addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      e.preventDefault();
      var first = $("finder-ward-results").querySelector("button");
      if (first) { first.click(); }
    });
    $("finder-locate").addEventListener("click", locate);
    try { startMap(); } catch (err) { $("finder-map-note").textContent = "Không hiện được bản đồ; danh sách vẫn dùng được."; }
    var wanted = new URLSearchParams(window.location.search).get("thu-tuc");
    render();
    if (wanted) { loadProcedures().then(function () { chooseProcedure(wanted, true); }); }
  }

  fetch(root.getAttribute("data-src")).then(function (r) {
    if (!r.ok) { throw new Error(r.status); }
    return r.json();
  }).then(init).catch(function () {
    root.hidden = false;
    $("finder-summary").textContent = "Không tải được dữ liệu địa điểm; hãy dùng danh sách bên dưới.";
  });
}());

/* "Đang mở cửa / Đã đóng cửa" on an office page, in Vietnam's time (Asia/Ho_Chi_Minh), from the
 * hours, closed dates and public holidays the page carries as JSON. Without JavaScript the page's
 * hours table says the same. Pure functions are exported for tests/js/ (require) too. */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.PortalHours = api; }
  if (typeof document !== "undefined") { api.start(document); }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var TIME_ZONE = "Asia/Ho_Chi_Minh";
  var WEEKDAYS = {Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6};

  function minutes(hhmm) { var p = hhmm.split(":"); return Number(p[0]) * 60 + Number(p[1]); }

  /** The wall-clock date, weekday (0 = Monday) and minute of the day in Vietnam for a Date. */
  function vietnamNow(date) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
      weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"})
      .formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return {date: parts.year + "-" + parts.month + "-" + parts.day, weekday: WEEKDAYS[parts.weekday],
      minutes: Number(parts.hour) % 24 * 60 + Number(parts.minute)};
  }

  function addDays(isoDate, n) {
    var d = new Date(isoDate + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function sessions(schedule, weekday) {
    return schedule.hours.filter(function (h) { return h.days.indexOf(weekday) >= 0; })
      .map(function (h) { return {open: minutes(h.open), close: minutes(h.close), openText: h.open, closeText: h.close}; })
      .sort(function (a, b) { return a.open - b.open; });
  }

  function dayMonth(isoDate) { return isoDate.slice(8, 10) + "/" + isoDate.slice(5, 7); }

  /** The next session opening after `now`, as text, looking up to three weeks ahead. */
  function nextOpening(schedule, now) {
    for (var i = 0; i <= 21; i++) {
      var day = addDays(now.date, i);
      if (schedule.closed[day]) { continue; }
      var weekday = (now.weekday + i) % 7;
      var list = sessions(schedule, weekday);
      for (var j = 0; j < list.length; j++) {
        if (i > 0 || list[j].open > now.minutes) {
          var name = schedule.day_names[weekday];  // the page gives the labels (portal_offices.DAY_LABELS)
          var when = i === 0 ? "hôm nay" : i === 1 ? "ngày mai (" + name + ")" : name + " " + dayMonth(day);
          return list[j].openText + " " + when;
        }
      }
    }
    return "";
  }

  /** {open: bool, text} for a schedule {hours: [{days: [0..6], open, close}], closed: {date: reason},
   *  day_names: [Monday's name, …]}. */
  function status(schedule, now) {
    var reason = schedule.closed[now.date];
    var next;
    if (reason) {
      next = nextOpening(schedule, now);
      return {open: false, text: "Hôm nay nghỉ (" + reason + ")." + (next ? " Mở cửa lại lúc " + next + "." : "")};
    }
    var list = sessions(schedule, now.weekday);
    for (var i = 0; i < list.length; i++) {
      if (now.minutes >= list[i].open && now.minutes < list[i].close) {
        return {open: true, text: "Đang mở cửa, đến " + list[i].closeText + " hôm nay."};
      }
    }
    next = nextOpening(schedule, now);
    var lunch = list.length > 1 && now.minutes >= list[0].close && now.minutes < list[list.length - 1].open;
    return {open: false, text: "Đã đóng cửa" + (lunch ? " (nghỉ trưa)" : "") + "." + (next ? " Mở cửa lại lúc " + next + "." : "")};
  }

  /** Fill every [data-office-status] element from the JSON script its data-schedule attribute names. */
  function start(doc) {
    var run = function () {
      var els = doc.querySelectorAll("[data-office-status]");
      Array.prototype.forEach.call(els, function (el) {
        var data = doc.getElementById(el.getAttribute("data-office-status"));
        if (!data) { return; }
        var s = status(JSON.parse(data.textContent), vietnamNow(new Date()));
        el.textContent = s.text + " (giờ Việt Nam)";
        el.className = "office-status office-status--" + (s.open ? "open" : "closed");
        el.hidden = false;
      });
    };
    if (doc.readyState === "loading") { doc.addEventListener("DOMContentLoaded", run); } else { run(); }
  }

  return {vietnamNow: vietnamNow, status: status, nextOpening: nextOpening, start: start};
}));

// The finder's pure functions (plugins/portal_offices/static/geo.js and hours.js) in Node.
// Distances are checked against tests/data/geo-vectors.json, the same vectors the Python
// haversine (plugins/portal_offices/geo.py) is tested against in tests/test_offices_geo.py.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const fs = require("node:fs");

const ROOT = path.resolve(__dirname, "..", "..");
const geo = require(path.join(ROOT, "plugins/portal_offices/static/geo.js"));
const hours = require(path.join(ROOT, "plugins/portal_offices/static/hours.js"));
const VECTORS = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/data/geo-vectors.json"), "utf8"));

test("haversine matches every shared vector", () => {
  assert.equal(geo.EARTH_RADIUS_KM, VECTORS.earth_radius_km);
  assert.ok(VECTORS.vectors.length >= 8);
  for (const v of VECTORS.vectors) {
    const got = geo.haversineKm(v.from[0], v.from[1], v.to[0], v.to[1]);
    assert.ok(Math.abs(got - v.km) <= VECTORS.tolerance_km, `${v.name}: ${got} != ${v.km}`);
    const back = geo.haversineKm(v.to[0], v.to[1], v.from[0], v.from[1]);
    assert.ok(Math.abs(back - v.km) <= VECTORS.tolerance_km, `${v.name} (reversed)`);
  }
});

test("travel time: 5 km at 20 km/h on roads 1.3 times longer is 20 minutes", () => {
  assert.equal(geo.travelMinutes(5, 20, 1.3), 20);
  assert.equal(geo.travelMinutes(0, 20, 1.3), 0);
  assert.equal(geo.travelMinutes(0.1, 20, 1), 1); // rounded up
});

test("fold removes Vietnamese diacritics, đ included", () => {
  assert.equal(geo.fold("Phường Đông Hòa"), "phuong dong hoa");
  assert.equal(geo.fold("Thủ Dầu Một"), "thu dau mot");
  assert.equal(geo.fold("Tân Đông Hiệp"), geo.fold("tan dong hiep"));
  // decomposed input (NFD, as some keyboards type) folds the same
  assert.equal(geo.fold("Hòa".normalize("NFD")), "hoa");
  assert.equal(geo.fold("  Bình   Dương, "), "binh duong");
});

test("accepts: all, non-geographic and a list of fields", () => {
  const land = {field: "Đất đai", non_geographic: false};
  const birth = {field: "Hộ tịch", non_geographic: true};
  assert.ok(geo.accepts({accepts: "all"}, land));
  assert.ok(geo.accepts({accepts: "non-geographic"}, birth));
  assert.ok(!geo.accepts({accepts: "non-geographic"}, land));
  assert.ok(geo.accepts({accepts: ["Hộ tịch", "Chứng thực"]}, birth));
  assert.ok(!geo.accepts({accepts: ["Hộ tịch"]}, land));
  assert.ok(geo.accepts({accepts: ["Hộ tịch"]}, null), "no procedure chosen: every office");
});

test("rank: nearest first, filtered by procedure", () => {
  const offices = [
    {name: "A", lat: 11.0, lon: 106.7, accepts: "all"},
    {name: "B", lat: 10.9, lon: 106.6, accepts: ["Đất đai"]},
    {name: "C", lat: 10.95, lon: 106.65, accepts: "non-geographic"},
  ];
  const r = geo.rank(offices, 10.9, 106.6, null);
  assert.deepEqual(r.map((x) => x.office.name), ["B", "C", "A"]);
  assert.ok(r[0].km < 1e-9);
  const land = geo.rank(offices, 10.9, 106.6, {field: "Đất đai", non_geographic: false});
  assert.deepEqual(land.map((x) => x.office.name), ["B", "A"]);
});

test("findWards: without diacritics, by old name, by district", () => {
  const wards = [
    {name: "Phường Hiệp Thành", district: "Thủ Dầu Một", lat: 11, lon: 106.6},
    {name: "Phường Thủ Dầu Một", old_names: ["Phú Cường", "Hiệp Thành cũ"], lat: 11, lon: 106.6},
    {name: "Xã Đất Cuốc", district: "Bắc Tân Uyên", lat: 11.1, lon: 106.8},
  ];
  assert.deepEqual(geo.findWards(wards, "hiep thanh").map((f) => f.ward.name),
    ["Phường Hiệp Thành", "Phường Thủ Dầu Một"]);
  const old = geo.findWards(wards, "phu cuong");
  assert.equal(old.length, 1);
  assert.equal(old[0].ward.name, "Phường Thủ Dầu Một");
  assert.ok(old[0].old);
  assert.equal(old[0].matched, "Phú Cường");
  assert.equal(geo.findWards(wards, "dat cuoc")[0].ward.name, "Xã Đất Cuốc");
  assert.equal(geo.findWards(wards, "ĐẤT CUỐC")[0].ward.name, "Xã Đất Cuốc");
  assert.deepEqual(geo.findWards(wards, "   "), []);
  assert.deepEqual(geo.findWards(wards, "khong co"), []);
});

// hours.js: the "open now" status. Weekday 0 is Monday; minutes count from midnight.
const SCHEDULE = {
  hours: [
    {days: [0, 1, 2, 3, 4], open: "07:30", close: "11:30"},
    {days: [0, 1, 2, 3, 4], open: "13:00", close: "17:00"},
    {days: [5], open: "07:30", close: "11:30"},
  ],
  closed: {"2025-09-02": "Quốc khánh"},
  // the office page gives the day names with the schedule (portal_offices.DAY_LABELS)
  day_names: ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"],
};
const at = (date, weekday, hhmm) => ({date, weekday, minutes: Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))});

test("status: open in a session, closed at lunch, Saturday morning, Sunday", () => {
  assert.equal(hours.status(SCHEDULE, at("2025-10-15", 2, "09:00")).open, true);
  assert.match(hours.status(SCHEDULE, at("2025-10-15", 2, "09:00")).text, /đến 11:30/);
  const lunch = hours.status(SCHEDULE, at("2025-10-15", 2, "12:00"));
  assert.equal(lunch.open, false);
  assert.match(lunch.text, /nghỉ trưa/);
  assert.match(lunch.text, /13:00 hôm nay/);
  assert.equal(hours.status(SCHEDULE, at("2025-10-18", 5, "10:00")).open, true);
  assert.equal(hours.status(SCHEDULE, at("2025-10-18", 5, "14:00")).open, false);
  const sunday = hours.status(SCHEDULE, at("2025-10-19", 6, "09:00"));
  assert.equal(sunday.open, false);
  assert.match(sunday.text, /07:30 ngày mai \(Thứ Hai\)/);
  assert.equal(hours.status(SCHEDULE, at("2025-10-15", 2, "17:00")).open, false, "closing time is closed");
  assert.equal(hours.status(SCHEDULE, at("2025-10-15", 2, "07:30")).open, true, "opening time is open");
});

test("status: a holiday or closed date is closed and the next opening skips it", () => {
  const s = hours.status(SCHEDULE, at("2025-09-02", 1, "09:00"));
  assert.equal(s.open, false);
  assert.match(s.text, /Quốc khánh/);
  assert.match(s.text, /07:30 ngày mai \(Thứ Tư\)/);
  const eve = hours.status(SCHEDULE, at("2025-09-01", 0, "18:00"));
  assert.match(eve.text, /07:30 Thứ Tư 03\/09/);
});

test("vietnamNow reads the wall clock in Asia/Ho_Chi_Minh (UTC+7)", () => {
  const n = hours.vietnamNow(new Date("2025-10-15T20:30:00Z")); // 03:30 on the 16th in Vietnam
  assert.deepEqual(n, {date: "2025-10-16", weekday: 3, minutes: 3 * 60 + 30});
  const m = hours.vietnamNow(new Date("2025-10-19T17:00:00Z")); // Monday 00:00
  assert.deepEqual(m, {date: "2025-10-20", weekday: 0, minutes: 0});
});

// The accepts rule, shared with Python (portal_offices.accepts_rule) through tests/data/accepts-vectors.json.
test("accepts: the shared vectors", () => {
  const {vectors} = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/data/accepts-vectors.json"), "utf8"));
  for (const v of vectors) {
    const office = {accepts: v.accepts};
    const procedure = {field: v.field, non_geographic: v.non_geographic};
    assert.equal(geo.accepts(office, procedure), v.expected, JSON.stringify(v));
  }
});

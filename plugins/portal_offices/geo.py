"""Straight-line distances on the Earth (haversine) and the travel-time estimate the finder states.

The same formula lives in static/geo.js for the browser; both are tested against
tests/data/geo-vectors.json.
"""
from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0  # mean Earth radius; the vectors file uses the same sphere
# The province's goal: every citizen within 5 km or 30 minutes of an office.
GOAL_KM = 5.0
GOAL_MINUTES = 30
# Travel-time estimate, stated on the finder and coverage pages: by motorbike in town at an
# average 20 km/h, on roads taken as 1.3 times the straight-line distance.
SPEED_KMH = 20.0
ROAD_FACTOR = 1.3


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat = p2 - p1
    dlon = math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def travel_minutes(km: float, speed_kmh: float = SPEED_KMH, road_factor: float = ROAD_FACTOR) -> int:
    """Estimated travel time for a straight-line distance, rounded up to a whole minute."""
    return max(0, math.ceil(km * road_factor / speed_kmh * 60 - 1e-9))


def within_goal(km: float) -> bool:
    """Within 5 km or 30 minutes' travel: the province's goal."""
    return km <= GOAL_KM or travel_minutes(km) <= GOAL_MINUTES


def nearest(lat: float, lon: float, places):
    """(place, km) of the place nearest to the point; places have .lat and .lon; (None, None) if none."""
    best, best_km = None, None
    for p in places:
        km = haversine_km(lat, lon, p.lat, p.lon)
        if best_km is None or km < best_km:
            best, best_km = p, km
    return best, best_km

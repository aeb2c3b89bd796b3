"""Places in Thailand: its outline, bounds and distances (geopy)."""

from dataclasses import dataclass

from geopy.distance import great_circle

# A generous box around Thailand's territory, islands included (the database's own check on every stored point).
LAT_MIN, LAT_MAX = 5.5, 20.5
LON_MIN, LON_MAX = 97.3, 105.7

# A simplified outline of Thailand, (lat, lon) clockwise from Mae Sai, drawn by hand for this project from public
# border facts: the towns on the border, the Mekong, Moei, Salween, Kraburi and Golok rivers that make much of it,
# the Dangrek escarpment, the coasts and the islands off them. The box holds Vientiane, Phnom Penh, Mawlamyine,
# Kota Bharu and the open sea of the Gulf: a pin there is not in Thailand. The outline is generous, never tight: a
# little way past the land borders (a few km, so that no Thai riverbank or border village is refused; across the
# Mekong from Nong Khai it keeps to the river, Vientiane stays out), and out at sea around the coasts and islands
# (a boat, a pier, a pin dropped just offshore is taken). tests/unit/test_thailand_outline.py checks that every
# sub-district of Thailand and the border towns are inside, and the neighbours' towns outside.
THAILAND_OUTLINE: tuple[tuple[float, float], ...] = (
    # The north: Mae Sai, the Golden Triangle, the Mekong to Chiang Khong, the hills to Nan.
    (20.50, 99.93), (20.42, 100.15), (20.40, 100.33), (20.32, 100.45), (20.15, 100.62), (19.90, 100.58),
    (19.75, 100.68), (19.72, 100.95), (19.60, 101.25), (19.25, 101.38), (18.90, 101.42), (18.55, 101.35),
    (18.25, 101.28), (18.05, 101.22),
    # Uttaradit, Phitsanulok and Loei: the watershed and the Heung river to the Mekong near Chiang Khan.
    (17.85, 101.00), (17.65, 100.90), (17.55, 100.88), (17.56, 101.00), (17.60, 101.10), (17.70, 101.28),
    (17.74, 101.45), (17.85, 101.55),
    # The Mekong: Chiang Khan, Pak Chom, Sangkhom, Si Chiang Mai, (Vientiane across the river), Nong Khai, Phon
    # Phisai, Bueng Kan, Nakhon Phanom, Mukdahan, Khemarat, Khong Chiam.
    (17.97, 101.70), (18.12, 101.88), (18.23, 102.10), (18.20, 102.28), (18.02, 102.45), (17.972, 102.55),
    (17.962, 102.595), (17.952, 102.625), (17.925, 102.665), (17.895, 102.705), (17.92, 102.78),
    (17.99, 102.87), (18.05, 102.95), (18.22, 103.08), (18.33, 103.20), (18.45, 103.35), (18.48, 103.55),
    (18.48, 103.85),
    (18.30, 104.05), (18.05, 104.25), (17.80, 104.45), (17.60, 104.65), (17.40, 104.83), (17.10, 104.83),
    (16.90, 104.78), (16.60, 104.80), (16.40, 104.90), (16.20, 105.12), (16.05, 105.40), (15.85, 105.55),
    (15.65, 105.65), (15.45, 105.68),
    # The land border with Laos to the Emerald Triangle (Chong Mek), then Cambodia along the Dangrek escarpment.
    (15.35, 105.65), (15.10, 105.65), (14.80, 105.58), (14.50, 105.45), (14.30, 105.25), (14.28, 104.90),
    (14.33, 104.60), (14.30, 104.20), (14.30, 103.80), (14.25, 103.40), (14.20, 103.10), (14.05, 102.95),
    (13.85, 102.78),
    # Aranyaprathet, Khlong Hat, Soi Dao, Pong Nam Ron, Bo Rai and the Trat strip to Hat Lek.
    (13.68, 102.60), (13.50, 102.45), (13.25, 102.45), (13.00, 102.55), (12.80, 102.65), (12.55, 102.75),
    (12.30, 102.85), (12.00, 102.95), (11.75, 102.98), (11.60, 102.95),
    # The Gulf's east coast, offshore: Ko Kut, Ko Chang, Chanthaburi, Rayong, Ko Samet, Sattahip, Pattaya, Ko Si
    # Chang, Chonburi; the head of the Gulf: Bang Pakong, Samut Prakan, Bangkok, Samut Sakhon, Samut Songkhram.
    (11.50, 102.70), (11.50, 102.45), (11.75, 102.25), (12.05, 102.15), (12.35, 101.90), (12.45, 101.55),
    (12.45, 101.20), (12.50, 100.80), (12.85, 100.70), (13.15, 100.72), (13.30, 100.80), (13.40, 100.75),
    (13.43, 100.50), (13.35, 100.20), (13.20, 100.12),
    # The Gulf's west coast, offshore: Phetchaburi, Cha-am, Hua Hin, Prachuap, Bang Saphan, Chumphon, Ko Tao, Ko
    # Pha Ngan, Ko Samui, Nakhon Si Thammarat, Songkhla, Pattani, Narathiwat, Tak Bai.
    (12.85, 100.12), (12.50, 100.08), (12.10, 100.05), (11.75, 99.95), (11.30, 99.72), (10.90, 99.62),
    (10.45, 99.52), (10.20, 99.95), (9.90, 100.18), (9.40, 100.20), (9.00, 100.05), (8.60, 100.28),
    (8.20, 100.40), (7.70, 100.52), (7.25, 100.70), (7.05, 101.05), (7.02, 101.35), (6.80, 101.72),
    (6.50, 101.98), (6.30, 102.18),
    # Malaysia: the Golok river, Sungai Kolok, Waeng, Betong, Sadao, Padang Besar, Wang Prachan.
    (6.20, 102.12), (6.05, 102.02), (5.85, 101.90), (5.72, 101.75), (5.75, 101.50), (5.68, 101.28),
    (5.55, 101.15), (5.75, 100.93), (6.05, 100.90), (6.25, 100.95), (6.38, 100.72), (6.45, 100.45),
    (6.60, 100.32), (6.62, 100.22), (6.45, 100.12),
    # The Andaman coast, offshore: Ko Tarutao, Ko Adang and Ko Lipe, Trang's islands, Ko Lanta, Ko Phi Phi,
    # Phuket, the Similan and Surin islands, Ranong.
    (6.42, 99.70), (6.38, 99.20), (6.70, 98.95), (7.10, 98.95), (7.55, 98.70), (7.60, 98.15), (8.20, 97.95),
    (8.50, 97.50), (8.80, 97.50), (9.30, 97.70), (9.60, 97.75), (9.80, 98.30),
    # Myanmar: the Kraburi river, the Tenasserim hills (Prachuap's narrow waist), Kanchanaburi, Three Pagodas Pass,
    # the Moei river past Mae Sot, the Salween, Mae Hong Son, Chiang Mai's and Chiang Rai's hills.
    (10.00, 98.50), (10.25, 98.62), (10.45, 98.72), (10.65, 98.80), (10.80, 98.95), (11.10, 99.20), (11.45, 99.40),
    (11.80, 99.60), (12.20, 99.45), (12.60, 99.20), (13.00, 99.10), (13.40, 99.10), (13.70, 99.10),
    (14.00, 98.95), (14.30, 98.65), (14.60, 98.30), (14.90, 98.30), (15.30, 98.30), (15.60, 98.45),
    (15.90, 98.50), (16.30, 98.58), (16.70, 98.49), (17.00, 98.40), (17.30, 98.15), (17.60, 97.85),
    (17.90, 97.65), (18.30, 97.35), (18.70, 97.32), (19.05, 97.65), (19.40, 97.70), (19.70, 97.80),
    (19.75, 98.10), (19.85, 98.50), (19.90, 98.90), (20.10, 99.05), (20.20, 99.35), (20.40, 99.55),
)


def in_outline(lat: float, lon: float, outline: tuple[tuple[float, float], ...] = THAILAND_OUTLINE) -> bool:
    """Whether (lat, lon) lies inside the polygon `outline` (even-odd ray casting; a point exactly on an edge may
    fall either way, and the outline is drawn with room to spare)."""
    inside = False
    last_lat, last_lon = outline[-1]
    for here_lat, here_lon in outline:
        if (here_lat > lat) != (last_lat > lat):
            crossing = here_lon + (lat - here_lat) * (last_lon - here_lon) / (last_lat - here_lat)
            if lon < crossing:
                inside = not inside
        last_lat, last_lon = here_lat, here_lon
    return inside


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def in_thailand(lat: float, lon: float) -> bool:
    """Inside the box and the outline: a pin in Vientiane, Phnom Penh, Mawlamyine or the open Gulf is not."""
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX and in_outline(lat, lon)


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance: within 0.5 % of geodesic and ~20x faster, enough to rank centres."""
    return float(great_circle((a.lat, a.lon), (b.lat, b.lon)).km)


# A college's service radius: stored with one decimal, so less than 0.1 km would be stored as no radius at all.
SERVICE_RADIUS_MIN_KM, SERVICE_RADIUS_MAX_KM = 0.1, 300.0

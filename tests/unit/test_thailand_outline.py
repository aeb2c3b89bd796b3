"""shared.geo.in_thailand is Thailand's outline, not its bounding box (audit18a): a pin in Vientiane, Phnom Penh,
Mawlamyine or the open Gulf is outside; every real Thai place is inside: each sub-district's centroid (from the
workplace's shared/data/thailand-geodata, MIT: used here only to check the hand-drawn outline, never copied into
it), the border towns, the riverbanks across from the neighbours' towns and the islands."""

import csv
from pathlib import Path

import pytest

from shared.geo import LAT_MAX, LAT_MIN, LON_MAX, LON_MIN, THAILAND_OUTLINE, in_outline, in_thailand

# The workplace's shared folder: beside the project's folder (CI's clone), or at /work/shared (a worktree).
GEODATA = next((d for d in (Path(__file__).resolve().parents[3] / "shared" / "data" / "thailand-geodata",
                            Path("/work/shared/data/thailand-geodata")) if d.is_dir()),
               Path("/work/shared/data/thailand-geodata"))

# Thai places at the very edge of the country (town centres, checkpoints, riverbanks and islands).
BORDER_PLACES = {
    "Nong Khai": (17.878, 102.742),
    "Mae Sai": (20.433, 99.876),
    "Aranyaprathet": (13.693, 102.503),
    "Rong Kluea market, Aranyaprathet": (13.665, 102.540),
    "Sadao": (6.640, 100.422),
    "Mae Sot": (16.713, 98.574),
    "Chong Mek": (15.137, 105.553),
    "Si Chiang Mai's riverbank": (17.957, 102.587),
    "Chiang Khong": (20.262, 100.405),
    "Chiang Saen": (20.275, 100.087),
    "Nakhon Phanom's riverfront": (17.410, 104.783),
    "Mukdahan's riverfront": (16.545, 104.725),
    "Khong Chiam": (15.318, 105.497),
    "Bueng Kan": (18.362, 103.652),
    "Chiang Khan": (17.897, 101.668),
    "Hat Lek": (11.660, 102.910),
    "Khlong Yai": (11.773, 102.883),
    "Betong": (5.773, 101.072),
    "Sungai Kolok": (6.030, 101.965),
    "Tak Bai": (6.262, 102.053),
    "Padang Besar": (6.660, 100.320),
    "Ranong": (9.963, 98.633),
    "Three Pagodas Pass": (15.298, 98.392),
    "Mae Sariang": (18.163, 97.933),
    "Mae Hong Son": (19.301, 97.969),
    "Ko Tao": (10.095, 99.838),
    "Ko Samui": (9.512, 100.013),
    "Ko Pha Ngan": (9.740, 100.030),
    "Ko Chang": (12.060, 102.330),
    "Ko Kut": (11.650, 102.560),
    "Ko Lipe": (6.488, 99.303),
    "Ko Tarutao": (6.640, 99.650),
    "Similan Islands": (8.650, 97.645),
    "Surin Islands": (9.420, 97.870),
    "Phuket": (7.880, 98.390),
    "Ko Phi Phi": (7.740, 98.770),
}

# Inside the box, not in Thailand.
ABROAD = {
    "Vientiane": (17.9757, 102.6331),
    "Phnom Penh": (11.5564, 104.9282),
    "Mawlamyine": (16.4905, 97.6283),
    "Gulf of Thailand": (10.0, 101.5),
    "Kota Bharu": (6.1254, 102.2381),
    "Thakhek": (17.410, 104.830),
    "Sainyabuli": (19.250, 101.710),
    "Luang Prabang": (19.886, 102.135),
    "Siem Reap": (13.362, 103.860),
    "Battambang": (13.095, 103.202),
    "Dawei": (14.083, 98.195),
    "Hpa-An": (16.890, 97.635),
    "Langkawi": (6.350, 99.800),
    "Alor Setar": (6.120, 100.367),
    "Koh Kong": (11.615, 102.985),
}


def test_the_outline_is_inside_the_box() -> None:
    assert all(LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX for lat, lon in THAILAND_OUTLINE)


@pytest.mark.parametrize("place", sorted(BORDER_PLACES))
def test_a_thai_place_at_the_border_is_in_thailand(place: str) -> None:
    assert in_thailand(*BORDER_PLACES[place]), place


@pytest.mark.parametrize("place", sorted(ABROAD))
def test_a_place_abroad_inside_the_box_is_not_in_thailand(place: str) -> None:
    lat, lon = ABROAD[place]
    assert LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX  # the box alone took it
    assert not in_thailand(lat, lon), place


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_sub_districts_centroid_is_in_thailand() -> None:
    """Every sub-district (tambon) of Thailand that the data set places: none refused."""
    if not (GEODATA / "sub_districts.csv").is_file():
        pytest.skip("the Thailand geodata set is not on this machine")
    with (GEODATA / "sub_districts.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    placed = [(r["SUB_DISTRICT_ENGLISH"], float(r["LATITUDE"]), float(r["LONGITUDE"]))
              for r in rows if _number(r["LATITUDE"]) and _number(r["LONGITUDE"])]  # a few have no place ("None")
    assert len(placed) > 7000
    assert [(name, lat, lon) for name, lat, lon in placed if not in_thailand(lat, lon)] == []


def test_the_outline_test_counts_a_square() -> None:
    """in_outline on a plain square: inside, outside, and on each side of a concave corner."""
    square = ((0.0, 0.0), (0.0, 2.0), (2.0, 2.0), (2.0, 0.0))
    assert in_outline(1.0, 1.0, square) and not in_outline(3.0, 1.0, square) and not in_outline(1.0, -0.5, square)
    notch = ((0.0, 0.0), (0.0, 2.0), (2.0, 2.0), (1.0, 1.0), (2.0, 0.0))
    assert in_outline(0.5, 1.0, notch) and not in_outline(1.9, 1.0, notch)

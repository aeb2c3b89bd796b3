"""Thailand's provinces, districts and sub-districts for the request form's pickers, from geothai, and a request's
area read back in the reader's language (`area_text`: the app's cards and the backend's messages alike).

No Flet here. Areas are listed in the order a reader of the shown language expects: Thai dictionary order
for Thai names (leading vowels such as เ/โ/ไ sort under the consonant that follows them, tone marks only
break ties), alphabetical for English ones. The form sends the Thai names; codes are only for choosing.

geothai has no coordinates, so there is no nearest-area lookup here: from a map pin, the area comes from a
reverse geocoder's address parts (see mobile/geocoding.py and `match_address`), and a chosen sub-district's place
from a forward geocoder asked `search_query`.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import geothai

from shared.text import Locale

# Thai letters that are written before the consonant they are pronounced after (เ แ โ ใ ไ).
_LEADING_VOWELS = frozenset("เแโใไ")
# Tone marks, the short-vowel mark and the silencer: they only tell words apart that are otherwise equal.
_MINOR_MARKS = re.compile("[\u0e47-\u0e4c]")
# The words before a name that say its level ("จังหวัด", "อำเภอ", "เขต", "ตำบล", "แขวง") and their short forms.
_LEVEL_WORD = re.compile(r"^(?:จังหวัด|กิ่งอำเภอ|อำเภอ|เขต|ตำบล|แขวง)")
_SHORT_FORM = re.compile(r"^\s*(?:จ|อ|ต)\.\s*")
_MARKS = re.compile(r"[\s.'-]")
# What English map data adds around a name: "Chiang Mai Province", "Mueang Chiang Mai District", ...
_ENGLISH_LEVEL = re.compile(
    r"^(?:amphoe|tambon|khet|khwaeng|changwat)\s+|\s+(?:sub-?district|district|province)$", re.IGNORECASE
)
_PROVINCE_ALIASES = {"กทม": "10", "กรุงเทพ": "10", "bangkok": "10", "อยุธยา": "14", "ayutthaya": "14"}
BANGKOK = "10"


@dataclass(frozen=True, slots=True)
class Area:
    """One province, district or sub-district: its DOPA code and its Thai and English names."""

    code: str
    name_th: str
    name_en: str

    def name(self, locale: Locale) -> str:
        return self.name_th if locale == Locale.TH else self.name_en


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """The codes found for an address, as far down as they could be told apart ("" = not found)."""

    province_code: str = ""
    district_code: str = ""
    sub_district_code: str = ""

    @property
    def found(self) -> bool:
        return bool(self.province_code)


def thai_sort_key(text: str) -> tuple[str, str]:
    """Thai dictionary order: each leading vowel moves behind its consonant; tone marks only break ties."""
    chars = list(text)
    i = 0
    while i < len(chars) - 1:
        if chars[i] in _LEADING_VOWELS:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            i += 2
        else:
            i += 1
    swapped = "".join(chars)
    return _MINOR_MARKS.sub("", swapped), swapped


def sort_key(area: Area, locale: Locale) -> tuple[str, str]:
    if locale == Locale.TH:
        return thai_sort_key(area.name_th)
    return area.name_en.casefold(), area.name_en


def normalize(name: str) -> str:
    """A name in one form for comparing: no level word ("อำเภอ", "District"), case, spaces or dots."""
    text = _SHORT_FORM.sub("", name.strip())
    text = _ENGLISH_LEVEL.sub("", text)
    text = _MARKS.sub("", text.casefold())
    return _LEVEL_WORD.sub("", text)


def _sorted(areas: Iterable[Area], locale: Locale) -> list[Area]:
    return sorted(areas, key=lambda a: sort_key(a, locale))


@cache
def _provinces() -> tuple[Area, ...]:
    return tuple(Area(p.code, p.name_th, p.name_en) for p in geothai.provinces())


@cache
def _districts(province_code: str) -> tuple[Area, ...]:
    return tuple(Area(d.code, d.name_th, d.name_en) for d in geothai.districts(province_code))


@cache
def _sub_districts(district_code: str) -> tuple[Area, ...]:
    return tuple(Area(s.code, s.name_th, s.name_en) for s in geothai.subdistricts(district_code))


def provinces(locale: Locale = Locale.TH) -> list[Area]:
    """All 77 provinces, in the order of the shown language."""
    return _sorted(_provinces(), locale)


def districts(province_code: str, locale: Locale = Locale.TH) -> list[Area]:
    """The districts (อำเภอ, or เขต in Bangkok) of a province; empty for an unknown or empty code."""
    return _sorted(_districts(province_code), locale) if province_code else []


def sub_districts(district_code: str, locale: Locale = Locale.TH) -> list[Area]:
    """The sub-districts (ตำบล, or แขวง in Bangkok) of a district; empty for an unknown or empty code."""
    return _sorted(_sub_districts(district_code), locale) if district_code else []


def province(code: str) -> Area | None:
    return next((a for a in _provinces() if a.code == code), None)


def district(code: str) -> Area | None:
    return next((a for a in _districts(code[:2]) if a.code == code), None) if len(code) == 4 else None


def sub_district(code: str) -> Area | None:
    return next((a for a in _sub_districts(code[:4]) if a.code == code), None) if len(code) == 6 else None


def _named(areas: Iterable[Area], names: set[str]) -> list[Area]:
    return [a for a in areas if normalize(a.name_th) in names or normalize(a.name_en) in names]


def find_province(name: str) -> Area | None:
    """A province by its Thai or English name, with or without "จังหวัด"; also กทม/กรุงเทพ/อยุธยา."""
    key = normalize(name)
    if not key:
        return None
    alias = _PROVINCE_ALIASES.get(key)
    if alias is not None:
        return province(alias)
    found = _named(_provinces(), {key})
    return found[0] if found else None


def find_district(province_code: str, name: str) -> Area | None:
    key = normalize(name)
    found = _named(_districts(province_code), {key}) if key else []
    return found[0] if len(found) == 1 else None


def find_sub_district(district_code: str, name: str) -> Area | None:
    key = normalize(name)
    found = _named(_sub_districts(district_code), {key}) if key else []
    return found[0] if len(found) == 1 else None


def match_address(parts: Mapping[str, str], postcode: str = "") -> AreaMatch:
    """The province, district and sub-district that the parts of a geocoded address name.

    `parts` are the address pieces a geocoder returns (e.g. Nominatim's state, county, suburb, quarter,
    village...): any piece may name any level, so each level is looked up among all of them, within the
    level above. The postcode narrows a sub-district when no name settled it. A level that cannot be told
    apart for sure stays "" rather than guessed.
    """
    # One entry per part: a part that named the province or the district is used up, so a sub-district
    # named like its district ("เขตปทุมวัน" / "แขวงปทุมวัน") is only taken when a second part names it.
    names = [normalize(v) for v in parts.values() if isinstance(v, str)]
    names = [n for n in names if n]
    postcode = postcode.strip()
    by_post = geothai.by_postal_code(postcode) if postcode else []

    province_code = ""
    found_provinces = {p.code for p in _named(_provinces(), set(names))}
    found_provinces |= {_PROVINCE_ALIASES[n] for n in names if n in _PROVINCE_ALIASES}
    if len(found_provinces) == 1:
        province_code = found_provinces.pop()
    elif by_post and len({s.province_code for s in by_post}) == 1:
        province_code = by_post[0].province_code
    if not province_code:
        return AreaMatch()
    chosen = province(province_code)
    if chosen is not None:
        taken = {normalize(chosen.name_th), normalize(chosen.name_en)}
        names = [n for n in names if n not in taken and _PROVINCE_ALIASES.get(n) != province_code]

    district_code = ""
    found_districts = _named(_districts(province_code), set(names))
    if len(found_districts) == 1:
        district_code = found_districts[0].code
        taken = {normalize(found_districts[0].name_th), normalize(found_districts[0].name_en)}
        used = next(i for i, n in enumerate(names) if n in taken)
        names = names[:used] + names[used + 1 :]

    sub_code = ""
    if district_code:
        candidates: Iterable[Area] = _sub_districts(district_code)
    else:
        candidates = [s for d in _districts(province_code) for s in _sub_districts(d.code)]
    found_subs = _named(candidates, set(names))
    if len(found_subs) > 1 and by_post:
        posted = {s.code for s in by_post}
        found_subs = [s for s in found_subs if s.code in posted]
    if not found_subs and by_post:
        in_place = [s for s in by_post if s.code.startswith(district_code or province_code)]
        found_subs = [Area(s.code, s.name_th, s.name_en) for s in in_place]
    if len(found_subs) == 1:
        sub_code = found_subs[0].code
        district_code = district_code or sub_code[:4]
    return AreaMatch(province_code, district_code, sub_code)


def search_query(sub_district_code: str) -> str:
    """What a forward geocoder is asked to find a chosen sub-district: its names with their level words, as Thai map
    data names them ("ตำบลสุเทพ, อำเภอเมืองเชียงใหม่, จังหวัดเชียงใหม่"; in Bangkok "แขวง…, เขต…, กรุงเทพมหานคร");
    "" for a code that is not a sub-district."""
    found_sub = sub_district(sub_district_code)
    found_district = district(sub_district_code[:4])
    found_province = province(sub_district_code[:2])
    if found_sub is None or found_district is None or found_province is None:
        return ""

    def bare(name: str) -> str:
        return _LEVEL_WORD.sub("", name.strip())

    if found_province.code == BANGKOK:
        return f"แขวง{bare(found_sub.name_th)}, เขต{bare(found_district.name_th)}, {found_province.name_th}"
    return (f"ตำบล{bare(found_sub.name_th)}, อำเภอ{bare(found_district.name_th)}, "
            f"จังหวัด{bare(found_province.name_th)}")


def area_text(locale: Locale, province: str | None, district: str | None = None,
              sub_district: str | None = None) -> str:
    """A request's area, smallest first and only the parts given, in the reader's language: the form posts the Thai
    names of this gazetteer, so in English "เมืองเชียงใหม่, เชียงใหม่" reads "Mueang Chiang Mai, Chiang Mai". A name
    the gazetteer does not know (typed elsewhere, or from an older list) is shown as stored, and in Thai every name
    is (as the citizen chose it); "" when none is given."""
    return ", ".join(_area_names(locale, (province or "").strip(), (district or "").strip(),
                                 (sub_district or "").strip()))


@lru_cache(maxsize=4096)
def _area_names(locale: Locale, province_name: str, district_name: str, sub_district_name: str) -> tuple[str, ...]:
    if locale == Locale.TH:
        return tuple(name for name in (sub_district_name, district_name, province_name) if name)
    found_province = find_province(province_name) if province_name else None
    found_district = find_district(found_province.code, district_name) if found_province and district_name else None
    found_sub = (find_sub_district(found_district.code, sub_district_name)
                 if found_district and sub_district_name else None)
    named = ((sub_district_name, found_sub), (district_name, found_district), (province_name, found_province))
    return tuple(area.name(locale) if area else stored for stored, area in named if stored)

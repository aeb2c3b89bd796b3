"""The messages of an invitation to an existing account: to the invited person, and the answer to whoever invited
them, in Thai first and English, the typed name quoted as one clean line, each leading to its screen."""

from datetime import UTC, datetime

from shared.invitations import DECLINED_WAIT_DAYS
from shared.notifications import (
    ACCOUNT_KINDS,
    AUDIENCE,
    HOME_LINK,
    STAFF_ADMIN_LINK,
    STUDENTS_LINK,
    InvitedClosed,
    Kind,
    Pref,
    QuietHours,
    allowed_prefs,
    chosen_prefs,
    quiet_until,
    render,
)
from shared.quoted_text import QUOTE_MAX
from shared.text import Locale, t

NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
COLLEGE = {"college_th": "วิทยาลัยเทคนิคดอนเมือง", "college_en": "Don Mueang Technical College"}


def test_the_invited_person_reads_who_invites_them_as_what_in_their_language() -> None:
    params = {"role": "technician", **COLLEGE}
    th = render(Kind.INVITED, params, Locale.TH, NOW)
    en = render(Kind.INVITED, params, Locale.EN, NOW)
    assert th.title == "วิทยาลัยเทคนิคดอนเมือง เชิญคุณเป็นนักศึกษาช่าง"
    assert en.title == "Don Mueang Technical College invites you to join as a student technician"
    assert th.body.startswith("ตอบรับหรือปฏิเสธได้ในแอป") and en.body.startswith("Accept or decline in the app")
    assert th.link == en.link == HOME_LINK  # the citizen home, where the invitation's card is
    teacher = render(Kind.INVITED, {"role": "supervisor", **COLLEGE}, Locale.EN, NOW)
    assert teacher.title.endswith("as a supervisor")
    # An administrator's invitation names no college.
    admin = render(Kind.INVITED, {"role": "admin", "college_th": None, "college_en": None}, Locale.TH, NOW)
    assert admin.title == "Fixit เชิญคุณเป็นผู้ดูแลระบบ"


def test_an_invitation_no_longer_open_says_what_became_of_it_instead_of_asking() -> None:
    params = {"role": "technician", **COLLEGE}
    asking = render(Kind.INVITED, params, Locale.TH, NOW)
    for closed, th, en in ((InvitedClosed.ACCEPTED, "คุณตอบรับคำเชิญนี้แล้ว", "You accepted this invitation"),
                           (InvitedClosed.DECLINED, "คุณปฏิเสธคำเชิญนี้แล้ว", "You declined this invitation"),
                           (InvitedClosed.GONE, "คำเชิญนี้ไม่รอคำตอบแล้ว: ถูกแทนที่หรือยกเลิกไป",
                            "This invitation is no longer open: it was replaced or withdrawn")):
        shown = render(Kind.INVITED, {**params, "closed": closed.value}, Locale.TH, NOW)
        assert (shown.title, shown.body, shown.link) == (asking.title, th, HOME_LINK)
        assert render(Kind.INVITED, {**params, "closed": closed.value}, Locale.EN, NOW).body == en
    # Anything else in the field (never written by the backend) leaves the question as it was.
    assert render(Kind.INVITED, {**params, "closed": "maybe"}, Locale.TH, NOW).body == asking.body


def test_the_inviter_hears_the_answer_naming_the_person_by_their_name_only() -> None:
    params = {"person": "นาย ชวนมา", "role": "technician", "by": "supervisor", **COLLEGE}
    yes_th = render(Kind.INVITE_ACCEPTED, params, Locale.TH, NOW)
    yes_en = render(Kind.INVITE_ACCEPTED, params, Locale.EN, NOW)
    assert yes_th.title == "นาย ชวนมา ตอบรับคำเชิญแล้ว"
    assert yes_th.body == "ตอนนี้เป็นนักศึกษาช่างของวิทยาลัยเทคนิคดอนเมือง"
    assert yes_en.title == "นาย ชวนมา accepted your invitation"
    assert yes_en.body == "now a student technician at Don Mueang Technical College"
    no_th = render(Kind.INVITE_DECLINED, params, Locale.TH, NOW)
    no_en = render(Kind.INVITE_DECLINED, params, Locale.EN, NOW)
    assert no_th.title == "นาย ชวนมา ปฏิเสธคำเชิญ" and f"{DECLINED_WAIT_DAYS} วัน" in no_th.body
    assert no_en.title == "นาย ชวนมา declined your invitation"
    assert no_en.body == f"to join Don Mueang Technical College as a student technician: you may ask again in " \
                         f"{DECLINED_WAIT_DAYS} days"
    # A teacher goes to their students; an admin (who registers teachers from the colleges screen) there.
    assert yes_th.link == no_en.link == STUDENTS_LINK
    assert render(Kind.INVITE_ACCEPTED, {**params, "by": "admin"}, Locale.EN, NOW).link == STAFF_ADMIN_LINK


def test_a_typed_name_is_quoted_as_one_clean_line_and_an_empty_one_reads_as_not_given() -> None:
    evil = "นาย\u202e ชวน\nมา " + "ก" * 200
    for locale in Locale:
        title = render(Kind.INVITE_DECLINED, {"person": evil, "role": "technician", **COLLEGE}, locale, NOW).title
        assert "\n" not in title and "\u202e" not in title and title.startswith("นาย ชวน มา ก")
        assert len(title) <= QUOTE_MAX + len(" declined your invitation")
        blank = render(Kind.INVITE_ACCEPTED, {"person": "\u200b ", "role": "technician", **COLLEGE}, locale, NOW)
        assert blank.title.startswith(t("notify_unnamed", locale))
        # A role this build does not know (a newer backend) still renders, as "not given".
        odd = render(Kind.INVITED, {"role": "auditor", **COLLEGE}, locale, NOW)
        assert odd.title.endswith(t("notify_unnamed", locale))


def test_they_go_on_the_usual_channels_never_sms_and_wait_for_the_end_of_quiet_hours() -> None:
    for kind in ACCOUNT_KINDS:
        assert Pref.SMS not in allowed_prefs(kind)
        assert chosen_prefs(kind, {}) == {Pref.PUSH, Pref.LINE}
        assert quiet_until(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), QuietHours(), kind) is not None  # 21:00
    assert AUDIENCE[Kind.INVITED] == "citizen"
    assert AUDIENCE[Kind.INVITE_ACCEPTED] == AUDIENCE[Kind.INVITE_DECLINED] == "supervisor"

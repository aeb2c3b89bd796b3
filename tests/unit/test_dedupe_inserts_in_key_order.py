"""race27 #3: every multi-row notification insert keyed by a dedupe key (`on conflict (dedupe_key) do nothing`) in
the backend's Python inserts its rows in key order. An insert waits on another transaction's uncommitted row of the
same key, so two writers of overlapping keys (two backend copies' clock turns) in different orders could each wait
for the other; in one order the second waits at the first shared key and skips what the first wrote. (The status
trigger's keys carry its own new event id: nobody else can write one before it commits; /tmp/p27/race27-findings.md.)"""

import re
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2] / "backend"


def test_every_dedupe_keyed_insert_orders_its_rows_by_key() -> None:
    found: list[str] = []
    for path in sorted(BACKEND.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for conflict in re.finditer(r"on conflict \(dedupe_key\) do nothing", text):
            insert = text.rfind("insert into public.notifications", 0, conflict.start())
            assert insert >= 0, f"{path.name}: a dedupe conflict with no insert before it"
            statement = text[insert:conflict.start()]
            found.append(path.name)
            order = re.search(r"\border by (\d+|dedupe_key)\b", statement)
            assert order, f"{path.name}: the insert before offset {conflict.start()} is not in dedupe-key order"
            # `order by N` sorts by the Nth column inserted: it must be the key (review27b #2: a column list changed to
            # put another column there left the guard green and the rows in another order).
            columns = re.match(r"insert into public\.notifications \(([^)]*)\)", statement)
            assert columns, f"{path.name}: the insert before offset {conflict.start()} names no column list"
            names = [c.strip() for c in columns.group(1).split(",")]
            at = names.index("dedupe_key") + 1 if "dedupe_key" in names else None
            assert order.group(1) in ("dedupe_key", str(at)), \
                f"{path.name}: the insert before offset {conflict.start()} orders by {order.group(1)}, its key is {at}"
    assert len(found) >= 5, found  # the clock's four and the suspension's: the scan still finds them

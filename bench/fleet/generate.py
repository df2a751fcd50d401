#!/usr/bin/env python3
"""Generates a fleet's play journals for bench/fleet/run.

  generate.py OUT SCREENS DAYS [PLAYS_PER_DAY=4000] [FIRST_DAY=2024-06-10]

OUT/<screen>/<YYYY-MM-DD>.jsonl: one journal folder per screen, in the journal
format (docs/journal-format.md): a `start` record each morning at 08:00 (+08:00),
then PLAYS_PER_DAY plays over 14 hours (three campaigns, slogans, pictures and
videos, tickers; about 1 in 50 partial, 1 in 200 skipped), a `stop` at 22:00;
seq from 1, each `prev` the SHA-256 of the line before (the first from the
genesis value). Deterministic (a fixed seed per screen), so runs are comparable.
"""
import datetime
import hashlib
import json
import os
import random
import sys

GENESIS = hashlib.sha256(b"signage-journal-genesis").hexdigest()
CAMPAIGNS = [
    ("2024-safety-month", "2024年安全生产月", [
        ("theme", "slogan", "人人讲安全、个个会应急\n畅通生命通道", None, 12.0),
        ("hotline", "slogan", "发现安全生产风险隐患，请拨打举报电话 12350", None, 12.0),
        ("evacuation-psa", "video", None, "media/evacuation.mp4", 30.0),
        ("consult-day", "image", None, "media/0616.png", 10.0),
    ]),
    ("ebike-charging", "电动自行车安全充电", [
        ("no-indoor", "slogan", "电动自行车禁止进楼入户\n严禁飞线充电", None, 12.0),
        ("charging-psa", "video", None, "media/charging.mp4", 20.0),
    ]),
    ("gas-safety", "燃气安全", [
        ("gas-check", "slogan", "定期检查燃气管道\n发现泄漏立即关阀开窗", None, 12.0),
        ("gas-poster", "image", None, "media/gas.png", 10.0),
    ]),
]
TZ = datetime.timezone(datetime.timedelta(hours=8))


def stamp(t):
    return t.isoformat(timespec="milliseconds")


def main():
    out, screens, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    per_day = int(sys.argv[4]) if len(sys.argv) > 4 else 4000
    first = datetime.date.fromisoformat(sys.argv[5] if len(sys.argv) > 5 else "2024-06-10")
    total = 0
    for s in range(screens):
        rnd = random.Random(s)
        screen = "district-%03d" % s
        site = "洛江区 %d 号点" % (s // 4)
        folder = os.path.join(out, screen)
        os.makedirs(folder, exist_ok=True)
        prev, seq = GENESIS, 0
        for d in range(days):
            day = first + datetime.timedelta(days=d)
            t = datetime.datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ)
            with open(os.path.join(folder, day.isoformat() + ".jsonl"), "wb") as f:
                def write(rec):
                    nonlocal prev, seq
                    seq += 1
                    rec = {"seq": seq, **rec, "prev": prev}
                    line = (json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                    f.write(line)
                    prev = hashlib.sha256(line).hexdigest()
                write({"type": "start", "screen": screen, "site": site, "time": stamp(t),
                       "version": "0.1.0", "organisation": "洛江区应急管理局"})
                step = 14 * 3600.0 / per_day
                for i in range(per_day):
                    cid, title, items = CAMPAIGNS[(i // 40) % len(CAMPAIGNS)]
                    item, kind, text, media, planned = items[i % len(items)]
                    start = t + datetime.timedelta(seconds=i * step)
                    r = rnd.random()
                    outcome = "skipped" if r < 0.005 else "complete"
                    shown = 0.0 if outcome == "skipped" else (planned * 0.5 if r < 0.025 else planned + 0.02)
                    rec = {"type": "play", "screen": screen, "site": site, "campaign": cid,
                           "campaign_title": title, "item": item, "item_type": kind,
                           "start": stamp(start), "end": stamp(start + datetime.timedelta(seconds=shown)),
                           "planned_s": planned, "shown_s": shown, "outcome": outcome,
                           "playlist_sha256": hashlib.sha256(cid.encode()).hexdigest(),
                           "clock_synced": True}
                    if text:
                        rec["text"] = text
                    if media:
                        rec["media"] = media
                        rec["media_sha256"] = hashlib.sha256(media.encode()).hexdigest()
                        rec["decoder"] = "h264 (vaapi)" if kind == "video" else "png"
                    write(rec)
                write({"type": "stop", "screen": screen, "time": stamp(t + datetime.timedelta(hours=14)),
                       "reason": "schedule"})
        total += seq
    print("screens=%d days=%d records=%d" % (screens, days, total))


if __name__ == "__main__":
    main()

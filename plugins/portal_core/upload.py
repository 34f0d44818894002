"""`invoke publish --to …`: send a build to where citizens get it.

- `s3://bucket/prefix`: any S3-compatible object store, with boto3 (`--endpoint` for one that is
  not AWS; credentials as boto3 finds them, such as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
- a folder (`/srv/www/portal`, a mounted share): the same rules, by copying files.

An object store cannot choose between `.br` and `.gz`, map `dir/` to `dir/index.html` or add
headers by itself, so:
- a file the build precompressed is stored as its gzip copy with `Content-Encoding: gzip`
  (every browser accepts gzip; Brotli cannot be negotiated by a store);
- keys are the files' paths (`thu-tuc/dang-ky-khai-sinh/index.html`): set the bucket's or the
  CDN's index document to `index.html` and its error document to `404.html`;
- `Content-Type` and `Cache-Control` are set on each object (a year and `immutable` for files
  named by their bytes, `no-cache` for the rest); the security headers come from the CDN's rules,
  which `_headers` in the build states.

- `rsync://host[:port]/module/path` (an rsync daemon) or `[user@]host:path` (rsync over SSH): a
  plain server, with the rsync program (`apt-get install rsync`), compared by content (`--checksum`).

Only objects whose bytes changed travel (their ETag, the MD5 of what was stored, is compared).
New files named by their bytes go first, then the other files, the search manifest, and the
pages last, so that a page never names a script or an index that is not there yet. Files gone
from the build are deleted last; files named by their bytes are kept for a grace period (default
7 days) counted from the publish that first found them gone, since pages cached by visitors or a
CDN may still ask for them. That day is kept on the target itself, in `.portal-publish.json`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import mimetypes
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from . import serving

COMPANIONS = (".gz", ".br")
SKIP = {".portal-build"}
RECORD = ".portal-publish.json"  # on the target: when each file named by its bytes left the build
TYPES = {".geojson": "application/geo+json", ".webmanifest": "application/manifest+json",
         ".json": "application/json", ".js": "text/javascript", ".svg": "image/svg+xml", ".xml": "application/xml",
         ".txt": "text/plain", ".css": "text/css", ".html": "text/html", "": "text/plain"}
TEXT = ("text/", "application/json", "application/xml", "application/geo+json", "image/svg+xml",
        "application/manifest+json", "application/atom+xml")
HASHED = re.compile(serving.HASHED_RE)


class PublishError(Exception):
    """What the operator must fix (a bad address, missing credentials, an unreachable store)."""


@dataclasses.dataclass
class File:
    key: str  # the path in the build, with '/' (the object key without the prefix)
    path: Path  # the file whose bytes are stored (the .gz copy when there is one)
    content_type: str
    encoding: str | None
    cache: str

    @property
    def hashed(self) -> bool:
        return bool(HASHED.search(self.key.rsplit("/", 1)[-1]))

    @property
    def rank(self) -> int:
        """Upload order: files named by their bytes, other files, the search manifest, pages."""
        if self.hashed:
            return 0
        if self.key.endswith("manifest.json"):
            return 2
        if self.key.endswith(".html"):
            return 3
        return 1

    def body(self) -> bytes:
        return self.path.read_bytes()


def files_of(output: Path) -> list[File]:
    """What to store for each file of a build."""
    root = Path(os.path.realpath(output))
    out = []
    for f in sorted(root.rglob("*")):
        if not f.is_file() or f.name in SKIP or f.suffix in COMPANIONS:
            continue
        key = f.relative_to(root).as_posix()
        ctype = TYPES.get(f.suffix) or mimetypes.guess_type(f.name)[0] or "application/octet-stream"
        if ctype.startswith(TEXT):
            ctype += "; charset=utf-8"
        gz = f.with_name(f.name + ".gz")
        stored, encoding = (gz, "gzip") if gz.is_file() else (f, None)
        cache = serving.CACHE_HASHED if HASHED.search(f.name) else serving.CACHE_OTHER
        out.append(File(key, stored, ctype, encoding, cache))
    return sorted(out, key=lambda x: (x.rank, x.key))


@dataclasses.dataclass
class Report:
    uploaded: list = dataclasses.field(default_factory=list)
    unchanged: int = 0
    deleted: list = dataclasses.field(default_factory=list)
    kept: list = dataclasses.field(default_factory=list)  # old hashed files, in their grace period
    bytes: int = 0

    def summary(self, dry_run: bool) -> str:
        verb = "Sẽ tải lên" if dry_run else "Đã tải lên"
        return (f"{verb} {len(self.uploaded)} tệp ({self.bytes / 1000:,.1f} KB), {self.unchanged} tệp không đổi, "
                f"{'sẽ xoá' if dry_run else 'đã xoá'} {len(self.deleted)} tệp cũ, giữ lại {len(self.kept)} tệp "
                "đặt tên theo nội dung trong thời gian chờ.")


def publish(output: Path, to: str, endpoint: str | None = None, dry_run: bool = False, grace_days: int = 7,
            say=print) -> Report:
    if to.startswith("s3://"):
        return _to_s3(output, to, endpoint, dry_run, grace_days, say)
    if to.startswith("rsync://") or re.match(r"^(?:[\w.-]+@)?[\w.-]+:(?!//)", to):
        return _to_rsync(output, to, dry_run, grace_days, say)
    if "://" in to:
        raise PublishError(f"--to {to}: chỉ hỗ trợ s3://bucket/thư-mục, rsync://máy/module/thư-mục, "
                           "máy:thư-mục (rsync qua SSH) hoặc một thư mục trên máy")
    return _to_folder(output, Path(to), dry_run, grace_days, say)


def _base(key: str) -> str:
    """A file's own key: `x.js` for `x.js.gz` and `x.js.br`."""
    return key[:-3] if key.endswith(COMPANIONS) else key


def retire(stale: list[str], record: dict, now: dt.datetime, grace_days: int) -> tuple[list, list, dict]:
    """Which stale keys to delete now and which to keep: a file named by its bytes is kept for
    `grace_days` after the first publish that found it gone from the build (`record` maps each such
    key to that moment, ISO 8601); other stale files go at once. Returns (delete, keep, new record)."""
    delete, keep, kept_record = [], [], {}
    limit = now - dt.timedelta(days=grace_days)
    for key in sorted(stale):
        base = _base(key)
        if not HASHED.search(base.rsplit("/", 1)[-1]):
            delete.append(key)
            continue
        try:
            since = dt.datetime.fromisoformat(record[base])
        except (KeyError, TypeError, ValueError):
            since = now
        if since.tzinfo is None:  # a record written by hand without a zone: UTC
            since = since.replace(tzinfo=dt.timezone.utc)
        if since > limit:
            keep.append(key)
            kept_record[base] = since.isoformat()
        else:
            delete.append(key)
    return delete, keep, kept_record


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _read_record(data: bytes | None) -> dict:
    """The target's record: {"retired": {key: when it left the build}, "rules": RULES when stored}."""
    try:
        record = json.loads(data) if data else {}
    except ValueError:
        record = {}
    record = record if isinstance(record, dict) else {}
    retired = record.get("retired")
    return {"retired": retired if isinstance(retired, dict) else {}, "rules": record.get("rules")}


def _record_bytes(retired: dict, rules: str | None = None) -> bytes:
    record = {"retired": retired, **({"rules": rules} if rules else {})}
    return json.dumps(record, ensure_ascii=False, indent=0, sort_keys=True).encode("utf-8")


def rules_digest() -> str:
    """What decides the objects' metadata (types, encodings, caching): when it changes, every
    object is stored again, since a store compares bytes only."""
    rules = [sorted(TYPES.items()), TEXT, serving.CACHE_HASHED, serving.CACHE_OTHER, serving.HASHED_RE, "gzip-copy"]
    return hashlib.sha256(json.dumps(rules).encode()).hexdigest()[:16]


# --- S3 ---------------------------------------------------------------------------------------
def _to_s3(output, to, endpoint, dry_run, grace_days, say) -> Report:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    parts = urlsplit(to)
    bucket, prefix = parts.netloc, parts.path.strip("/")
    if not bucket:
        raise PublishError(f"--to {to}: thiếu tên bucket (s3://bucket/thư-mục)")
    prefix = prefix + "/" if prefix else ""
    client = boto3.client("s3", endpoint_url=endpoint or os.environ.get("PORTAL_S3_ENDPOINT") or None)
    report = Report()
    try:
        remote = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for o in page.get("Contents", []):
                remote[o["Key"][len(prefix):]] = o["ETag"].strip('"')
        try:
            record = _read_record(client.get_object(Bucket=bucket, Key=prefix + RECORD)["Body"].read())
        except ClientError:
            record = _read_record(None)
        rules = rules_digest()
        resend = bool(remote) and record["rules"] != rules
        if resend:
            say("Quy tắc Content-Type/Cache-Control đã đổi từ lần trước: tải lại mọi tệp để các đối tượng mang quy tắc mới.")
        files = files_of(output)
        for f in files:
            old = remote.get(f.key)
            body = f.body()  # read once: compared by its MD5 (what S3 ETags are), then sent if changed
            if not resend and old is not None and old == hashlib.md5(body).hexdigest():  # noqa: S324
                report.unchanged += 1
                continue
            report.uploaded.append(f.key)
            report.bytes += len(body)
            if not dry_run:
                extra = {"ContentEncoding": f.encoding} if f.encoding else {}
                client.put_object(Bucket=bucket, Key=prefix + f.key, Body=body, ContentType=f.content_type,
                                  CacheControl=f.cache, **extra)
        current = {f.key for f in files}
        stale = [k for k in remote if k not in current and k != RECORD]
        delete, report.kept, retired = retire(stale, record["retired"], _now(), grace_days)
        for key in delete:
            report.deleted.append(key)
            if not dry_run:
                client.delete_object(Bucket=bucket, Key=prefix + key)
        if not dry_run:
            client.put_object(Bucket=bucket, Key=prefix + RECORD, Body=_record_bytes(retired, rules),
                              ContentType="application/json; charset=utf-8", CacheControl="no-store")
    except ClientError as exc:
        raise PublishError(f"{to}: kho lưu trữ trả lời: {exc}") from None
    except BotoCoreError as exc:
        raise PublishError(f"{to}: không kết nối được kho lưu trữ ({exc}); kiểm tra --endpoint và thông tin đăng nhập "
                           "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)") from None
    say(report.summary(dry_run))
    return report


# --- a folder ---------------------------------------------------------------------------------
def _to_folder(output, dest: Path, dry_run, grace_days, say) -> Report:
    """The build's files (with their .gz/.br copies) into `dest`, changed files only, in the same
    order as for object storage, each written to a temporary name and renamed."""
    root = Path(os.path.realpath(output))
    report = Report()
    wanted = set()
    for f in files_of(output):
        for src in [root / f.key] + [root / (f.key + s) for s in COMPANIONS if (root / (f.key + s)).is_file()]:
            rel = src.relative_to(root).as_posix()
            wanted.add(rel)
            target = dest / rel
            if target.is_file() and target.stat().st_size == src.stat().st_size and target.read_bytes() == src.read_bytes():
                report.unchanged += 1
                continue
            report.uploaded.append(rel)
            report.bytes += src.stat().st_size
            if not dry_run:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{target.name}.part")
                shutil.copy2(src, tmp)
                os.replace(tmp, target)
    if dest.is_dir():
        record_file = dest / RECORD
        record = _read_record(record_file.read_bytes() if record_file.is_file() else None)
        stale = [p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()]
        stale = [k for k in stale if k not in wanted and k != RECORD and not k.rsplit("/", 1)[-1].startswith(".")]
        delete, report.kept, retired = retire(stale, record["retired"], _now(), grace_days)
        for rel in delete:
            report.deleted.append(rel)
            if not dry_run:
                (dest / rel).unlink()
        if not dry_run:
            tmp = dest / f".{RECORD}.part"
            tmp.write_bytes(_record_bytes(retired))
            os.replace(tmp, record_file)
    say(report.summary(dry_run))
    return report


# --- rsync ------------------------------------------------------------------------------------
ITEM = re.compile(r"^([<>ch.*][fdLDS]\S*|\*deleting)\s+(.*)$")


def _rsync(args: list[str], to: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = shutil.which("rsync")
    if not exe:
        raise PublishError(f"--to {to}: cần chương trình rsync trên máy này (apt-get install rsync)")
    proc = subprocess.run([exe, *args], capture_output=True, text=True, encoding="utf-8", errors="replace")
    if check and proc.returncode != 0:
        raise PublishError(f"{to}: rsync dừng với mã {proc.returncode}: {proc.stderr.strip()[-800:]}")
    return proc


def _remote_files(to: str, dest: str) -> list[str]:
    """The regular files already on the target (none when its folder does not exist yet)."""
    proc = _rsync(["--list-only", "--recursive", dest], to, check=False)
    if proc.returncode != 0:
        if "No such file or directory" in proc.stderr or "change_dir" in proc.stderr:
            return []
        raise PublishError(f"{to}: không đọc được thư mục đích qua rsync (mã {proc.returncode}): "
                           f"{proc.stderr.strip()[-800:]}")
    out = []
    for line in proc.stdout.splitlines():
        m = re.match(r"^-\S+\s+[\d,.]+\s+\S+\s+\S+\s(.+)$", line)
        if m and m.group(1) != RECORD:
            out.append(m.group(1))
    return out


def _to_rsync(output, to, dry_run, grace_days, say) -> Report:
    """Each group of files (named by their bytes, other files, the search manifest, pages) in its own
    rsync run over the file list, compared by content; stale files deleted last, by a pass over the
    whole build with `--delete-after` that protects the files in their grace period, so nothing that
    a served page needs is ever missing."""
    root = Path(os.path.realpath(output))
    dest = to.rstrip("/") + "/"
    report = Report()
    common = ["--archive", "--checksum", "--mkpath", "--itemize-changes", "--out-format=%i %n"]
    if dry_run:
        common.append("--dry-run")
    wanted: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="portal-rsync-") as tmp:
        groups: dict[int, list[str]] = {}
        for f in files_of(output):
            keys = [f.key] + [f.key + s for s in COMPANIONS if (root / (f.key + s)).is_file()]
            groups.setdefault(f.rank, []).extend(keys)
            wanted.update(keys)
        for rank in sorted(groups):
            listing = Path(tmp) / f"files-{rank}.txt"
            listing.write_text("\n".join(groups[rank]) + "\n", encoding="utf-8")
            proc = _rsync([*common, f"--files-from={listing}", f"{root}/", dest], to)
            sent = set()
            for line in proc.stdout.splitlines():
                m = ITEM.match(line)
                if m and m.group(1)[:2] in ("<f", ">f"):
                    sent.add(m.group(2))
            report.uploaded.extend(sorted(sent))
            report.bytes += sum((root / k).stat().st_size for k in sent)
            report.unchanged += len(groups[rank]) - len(sent)
        remote = _remote_files(to, dest)
        fetched = Path(tmp) / "record.json"
        got = _rsync(["--quiet", dest + RECORD, str(fetched)], to, check=False)
        record = _read_record(fetched.read_bytes() if got.returncode == 0 and fetched.is_file() else None)
        stale = [k for k in remote if k not in wanted and not k.rsplit("/", 1)[-1].startswith(".")]
        delete, report.kept, retired = retire(stale, record["retired"], _now(), grace_days)
        if delete and not dry_run:
            # one last pass over the whole build deletes what it lacks, except what is protected:
            # the files in their grace period and the record (excluded files are never deleted)
            rules = Path(tmp) / "keep.rules"
            rules.write_text("".join(f"P /{k}\n" for k in [*report.kept, RECORD]) + "- /.portal-build\n",
                             encoding="utf-8")
            _rsync(["--archive", "--checksum", "--delete-after", f"--filter=merge {rules}", f"{root}/", dest], to)
        report.deleted.extend(delete)
        if not dry_run:
            (Path(tmp) / RECORD).write_bytes(_record_bytes(retired))
            _rsync(["--checksum", str(Path(tmp) / RECORD), dest + RECORD], to)
    say(report.summary(dry_run))
    return report

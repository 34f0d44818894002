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

Only objects whose bytes changed travel (their ETag, the MD5 of what was stored, is compared).
New files named by their bytes go first, then the other files, the search manifest, and the
pages last, so that a page never names a script or an index that is not there yet. Files gone
from the build are deleted last; files named by their bytes are kept for a grace period (default
7 days), since pages cached by visitors or a CDN may still ask for them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import mimetypes
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from . import serving

COMPANIONS = (".gz", ".br")
SKIP = {".portal-build"}
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
    if "://" in to:
        raise PublishError(f"--to {to}: chỉ hỗ trợ s3://bucket/thư-mục hoặc một thư mục trên máy")
    return _to_folder(output, Path(to), dry_run, grace_days, say)


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
                remote[o["Key"][len(prefix):]] = (o["ETag"].strip('"'), o["LastModified"])
        files = files_of(output)
        for f in files:
            old = remote.get(f.key)
            body = f.body()  # read once: compared by its MD5 (what S3 ETags are), then sent if changed
            if old is not None and old[0] == hashlib.md5(body).hexdigest():  # noqa: S324
                report.unchanged += 1
                continue
            report.uploaded.append(f.key)
            report.bytes += len(body)
            if not dry_run:
                extra = {"ContentEncoding": f.encoding} if f.encoding else {}
                client.put_object(Bucket=bucket, Key=prefix + f.key, Body=body, ContentType=f.content_type,
                                  CacheControl=f.cache, **extra)
        current = {f.key for f in files}
        limit = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=grace_days)
        for key, (_etag, modified) in sorted(remote.items()):
            if key in current:
                continue
            if HASHED.search(key.rsplit("/", 1)[-1]) and modified > limit:
                report.kept.append(key)
                continue
            report.deleted.append(key)
            if not dry_run:
                client.delete_object(Bucket=bucket, Key=prefix + key)
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
    limit = dt.datetime.now().timestamp() - grace_days * 86400
    if dest.is_dir():
        for old in sorted(p for p in dest.rglob("*") if p.is_file()):
            rel = old.relative_to(dest).as_posix()
            if rel in wanted:
                continue
            name = rel.rsplit("/", 1)[-1]
            base = name[:-3] if name.endswith(COMPANIONS) else name
            if HASHED.search(base) and old.stat().st_mtime > limit:
                report.kept.append(rel)
                continue
            report.deleted.append(rel)
            if not dry_run:
                old.unlink()
    say(report.summary(dry_run))
    return report

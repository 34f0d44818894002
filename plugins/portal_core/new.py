"""`invoke new procedure|office|news "Tiêu đề"`: a new content file with every field to fill."""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import yaml
from pelican.utils import slugify

from .site import today_in_vietnam

TEMPLATES = {
    "procedure": ("procedures", """---
code: MA-THU-TUC        # mã thủ tục quốc gia (ví dụ 1.001193) hoặc mã địa phương; không trùng
title: {title}
field: Hộ tịch          # lĩnh vực
agency: Ủy ban nhân dân cấp xã   # cơ quan thực hiện
levels: [xa]            # tinh, xa (huyen: cấp huyện trước 01/7/2025)
online: mot-phan        # toan-trinh | mot-phan | khong
non_geographic: false   # true: nộp tại bất kỳ điểm tiếp nhận nào (phi địa giới hành chính)
channels:
- kind: truc-tiep       # truc-tiep | truc-tuyen | buu-chinh
  time_limit: 05 ngày làm việc
  fee: Miễn phí
documents:
- name: Tờ khai theo mẫu
  originals: 1
  copies: 0
  # note: ghi chú
  # case: Trường hợp ...   (khi hồ sơ khác nhau theo trường hợp)
  # form: to-khai.pdf      (tệp mẫu đơn trong content/forms/)
steps:
- Chuẩn bị hồ sơ
- Nộp hồ sơ
- Nhận kết quả
requirements: Không
result: Kết quả giải quyết
legal_basis:
- Văn bản pháp luật
# applicants: Công dân Việt Nam
# decision: Quyết định công bố thủ tục
# related: [slug-thu-tuc-lien-quan]
# keywords: [từ người dân hay dùng]
updated: {today}
# status: abolished     (thủ tục đã bãi bỏ) với replaced_by: slug-thu-tuc-thay-the
sample: true            # xóa dòng này khi nội dung đã được kiểm tra với nguồn chính thức
---
Mô tả ngắn bằng ngôn ngữ dễ hiểu.
"""),
    "office": ("offices", """---
name: {title}
kind: diem-tiep-nhan    # trung-tam | chi-nhanh | diem-tiep-nhan
address: Số nhà, đường
ward: Tên phường/xã     # trùng với một tên trong content/wards.yaml
# district: Huyện/thành phố cũ
lat: 10.98
lon: 106.65
# phone: 0274 ...
# email: ...
hours:
- days: mon-fri
  open: "07:30"
  close: "11:30"
- days: mon-fri
  open: "13:00"
  close: "17:00"
# closed_dates:
# - date: {today}
#   reason: Lý do
accepts: non-geographic # all | non-geographic | danh sách lĩnh vực
opened: {today}
# merged_into: slug-dia-diem   cùng với merged_on: YYYY-MM-DD
# closed_on: YYYY-MM-DD
sample: true            # xóa dòng này khi địa chỉ và tọa độ đã được kiểm tra
---
Đường đi: ...
"""),
    "news": ("news", """---
title: {title}
date: {today}        # ngày đăng; ngày trong tương lai = hẹn giờ: tin chỉ lên trang từ ngày đó
category: tin-tuc       # tin-tuc | thong-bao
tags: []                # ví dụ [lộ trình, hộ tịch]
summary: Tóm tắt một hai câu.
status: draft           # draft: chưa đăng, chỉ xem được bằng invoke livereload --drafts | published: đăng
expires:                # YYYY-MM-DD: ngày cuối cùng thông báo còn hiệu lực; để trống nếu không hết hạn
pinned: false           # true: ghim lên đầu trang chủ đến khi hết hạn
sample: false           # true: tin mẫu để minh họa (trang hiện nhãn "dữ liệu mẫu")
---
Nội dung tin.
"""),
}


def _yaml_text(text: str) -> str:
    """The title as YAML reads it back: quoted when it holds ': ', ' #' or other YAML syntax."""
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def new_item(kind: str, title: str, content: Path, today: str | None = None) -> Path:
    if kind not in TEMPLATES:
        raise SystemExit(f"Loại nội dung '{kind}' không có; chọn một trong: {', '.join(TEMPLATES)}")
    title = unicodedata.normalize("NFC", title.strip())
    folder, text = TEMPLATES[kind]
    slug = slugify(title.replace("đ", "d").replace("Đ", "D"), regex_subs=[(r"[^\w\s-]", ""), (r"[-\s]+", "-")])
    path = content / folder / f"{slug}.md"
    if path.exists():
        raise SystemExit(f"Tệp {path} đã có; hãy chọn tiêu đề khác hoặc sửa tệp đó.")
    path.parent.mkdir(parents=True, exist_ok=True)
    today = today or today_in_vietnam()
    dt.date.fromisoformat(today)
    path.write_text(text.format(title=_yaml_text(title), today=today), encoding="utf-8")
    return path

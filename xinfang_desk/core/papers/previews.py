"""The bytes the case detail needs to draw thumbnails of a case's attachments: only the
pictures and PDFs, only for a case the user may see. Not an audited viewing (the thumbnail is
part of showing the case, as its other fields are); 查看 and 导出 go through
attachments.attachment_data / export_attachment, which are audited."""

from __future__ import annotations

from xinfang_desk.core.papers.attachments import AttachmentInfo, list_attachments
from xinfang_desk.core.papers.kinds import IMAGE_TYPES
from xinfang_desk.core.store.db import storage_errors
from xinfang_desk.core.store.models import FileBlob

MAX_PREVIEW_BYTES = 30 * 1024 * 1024  # a bigger file gets a tile, not a thumbnail


def with_preview_bytes(case_no: str) -> list[tuple[AttachmentInfo, bytes | None]]:
    """The case's attachments (removed ones last), each with its bytes when a thumbnail can
    be drawn from them (image or PDF, not too big), else None."""
    infos = list_attachments(case_no)  # refuses a confidential case one may not see
    wanted = {i.sha256 for i in infos
              if (i.file_type in IMAGE_TYPES or i.file_type == "pdf")
              and i.size <= MAX_PREVIEW_BYTES}
    blobs: dict[str, bytes] = {}
    if wanted:
        with storage_errors():
            for digest, data in (FileBlob.select(FileBlob.sha256, FileBlob.data)
                                 .where(FileBlob.sha256.in_(list(wanted))).tuples()):
                blobs[digest] = bytes(data)
    return [(i, blobs.get(i.sha256)) for i in infos]

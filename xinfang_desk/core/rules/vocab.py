"""Closed vocabularies of the domain (Chinese values as stored and exchanged)."""

from __future__ import annotations

CHANNELS = ("来访", "来信", "来电", "网上", "传真", "领导信箱", "上级转送", "上级交办", "其他")
# Channels through which a matter arrives from a higher body, with its reference (来文号).
FORWARDED_TO_US = ("上级转送", "上级交办")

CATEGORIES = ("建议意见", "检举控告", "申诉求决", "咨询", "其他")
SUGGESTION = "建议意见"
ACCUSATION = "检举控告"

DISPOSITIONS = ("当场答复", "受理", "转送", "交办", "不予受理", "引导", "建议记录")

DOC_TYPES = ("身份证", "其他证件", "无")
PETITIONER_KINDS = ("个人", "单位")

REPLY_OUTCOMES = ("支持", "解释说明", "不予支持")
ADOPTION_OUTCOMES = ("采纳", "部分采纳", "不采纳")
RATINGS = ("满意", "基本满意", "不满意", "未表态")

# Event types of the case timeline (also the interchange format's `events[].type`).
EVENT_TYPES = (
    "visit",
    "forwarded",
    "assigned",
    "notified",
    "chased",
    "feedback",
    "extended",
    "replied",
    "satisfaction",
    "review_requested",
    "review_answered",
    "rereview_requested",
    "rereview_answered",
    "closed",
    "reopened",
    "printed",
    "ledger_closed",
    "attachment_removed",
)

EVENT_LABELS = {
    "visit": "重复来访",
    "forwarded": "转送",
    "assigned": "交办",
    "notified": "书面告知",
    "chased": "催办",
    "feedback": "承办单位反馈",
    "extended": "延期",
    "replied": "答复",
    "satisfaction": "满意度",
    "review_requested": "申请复查",
    "review_answered": "复查答复",
    "rereview_requested": "申请复核",
    "rereview_answered": "复核答复",
    "closed": "办结",
    "reopened": "重新办理",
    "printed": "打印文书",
    "ledger_closed": "办结（据历史台账）",
    "attachment_removed": "移除附件",
}

# Case statuses (stored as these codes; labels for display).
REGISTERED = "registered"
ACCEPTED = "accepted"
FORWARDED = "forwarded"
REPLIED = "replied"
IN_REVIEW = "in_review"
REVIEWED = "reviewed"
IN_REREVIEW = "in_rereview"
CLOSED = "closed"

STATUS_LABELS = {
    REGISTERED: "已登记",
    ACCEPTED: "办理中",
    FORWARDED: "已转送/交办",
    REPLIED: "已答复",
    IN_REVIEW: "复查中",
    REVIEWED: "已复查",
    IN_REREVIEW: "复核中",
    CLOSED: "已办结",
}
STATUSES = tuple(STATUS_LABELS)

"""Messages about one person's own account or one organisation's application: an invitation,
an application received or decided, a password reset, a sign-in from a new device, a second
factor removed. Each goes to one address by e-mail only (never to an organisation's contacts or
webhooks: some carry a single-use link), in the addressee's language and time zone.

Pure: what the message says. Who it goes to is `addressee` when the event names them, else the
person the event is about (notify's projection of people, `services.notify.people`).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from services.notify.domain.locales import format_when
from services.notify.domain.wording import LABELS as NOTICE_LABELS
from shared.events import people

ACCOUNT_TYPES = (
    people.MEMBER_INVITED,
    people.ORGANISATION_APPLIED,
    people.ORGANISATION_APPLICATION_APPROVED,
    people.ORGANISATION_APPLICATION_DECLINED,
    people.PASSWORD_RESET_REQUESTED,
    people.SIGNED_IN_FROM_NEW_DEVICE,
    people.SECOND_FACTOR_RESET,
)
# The page of the portal each link opens (its token in the query), below IPMARKET_PORTAL_URL.
LINK_PATHS = {
    people.MEMBER_INVITED: "/invitations/accept",
    people.PASSWORD_RESET_REQUESTED: "/password-reset",
}
ACTION_LABELS = {people.MEMBER_INVITED: "accept", people.PASSWORD_RESET_REQUESTED: "reset"}


class Addressee(NamedTuple):
    """Who an account message goes to. `key`: what it is about (a person, an application, an
    invitation), standing for the organisation in the delivery log so that no organisation's
    log shows another's links."""

    key: str
    email: str
    name: str
    locale: str
    timezone: str | None  # None: the organisation's, else UTC


def addressee(event_type: str, data: dict) -> Addressee | None:
    """The addressee the event names; None when it names only the person (look them up)."""
    if event_type == people.MEMBER_INVITED:
        return Addressee(data["invitation_id"], data["email"], "", data["locale"], None)
    if event_type in APPLICATION_TYPES:
        return Addressee(
            data["application_id"],
            data["contact_email"],
            data["contact_name"],
            data["locale"],
            None,
        )
    if "email" in data:  # a PersonNotice: the person's own address, language and zone
        name = data["name_zh"] if data["locale"] != "en" and data["name_zh"] else data["name_en"]
        return Addressee(data["person_id"], data["email"], name, data["locale"], data["timezone"])
    return None


APPLICATION_TYPES = (
    people.ORGANISATION_APPLIED,
    people.ORGANISATION_APPLICATION_APPROVED,
    people.ORGANISATION_APPLICATION_DECLINED,
)

# subject, then the sentence that says what happened and what to do
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        people.MEMBER_INVITED: (
            "You are invited to join {organisation} on ipmarket",
            "{organisation} invites you to join it on ipmarket as {roles}. Open the link "
            "below to accept and set your password; it works once.",
        ),
        people.ORGANISATION_APPLIED: (
            "We received the application of {applicant}",
            "Thank you. The platform's operators will review the application and write to you "
            "when they have decided.",
        ),
        people.ORGANISATION_APPLICATION_APPROVED: (
            "{applicant} is approved on ipmarket",
            "The application is approved. You will receive an invitation to set up your "
            "account shortly.",
        ),
        people.ORGANISATION_APPLICATION_DECLINED: (
            "The application of {applicant} was declined",
            "The platform's operators declined the application. The reason they gave is "
            "below; you are welcome to apply again.",
        ),
        people.PASSWORD_RESET_REQUESTED: (
            "Reset your ipmarket password",
            "Someone asked to reset the password of your account. If it was you, open the "
            "link below to choose a new one; it works once. If not, ignore this message: "
            "your password stays as it is.",
        ),
        people.SIGNED_IN_FROM_NEW_DEVICE: (
            "New sign-in to your ipmarket account",
            "Your account was signed in to from a browser or device not seen before. If it "
            "was not you, change your password and end that session at once.",
        ),
        people.SECOND_FACTOR_RESET: (
            "Your second factor was reset",
            "A platform operator removed your second factor. You will set up a new one at "
            "your next sign-in. If you did not ask for this, contact the platform at once.",
        ),
    },
    "zh-Hans": {
        people.MEMBER_INVITED: (
            "{organisation}邀请您加入 ipmarket",
            "{organisation}邀请您以{roles}身份加入 ipmarket。请打开下方链接接受邀请并设置密码；"
            "链接仅可使用一次。",
        ),
        people.ORGANISATION_APPLIED: (
            "我们已收到{applicant}的入驻申请",
            "感谢您的申请。平台运营人员审核后会通过邮件告知结果。",
        ),
        people.ORGANISATION_APPLICATION_APPROVED: (
            "{applicant}的入驻申请已通过",
            "您的申请已获批准。稍后您将收到设置账户的邀请邮件。",
        ),
        people.ORGANISATION_APPLICATION_DECLINED: (
            "{applicant}的入驻申请未获通过",
            "平台运营人员未批准此申请，原因见下文。欢迎您日后再次申请。",
        ),
        people.PASSWORD_RESET_REQUESTED: (
            "重置您的 ipmarket 密码",
            "有人申请重置您账户的密码。如果是您本人操作，请打开下方链接设置新密码；"
            "链接仅可使用一次。如果不是您本人，请忽略此邮件，您的密码不会改变。",
        ),
        people.SIGNED_IN_FROM_NEW_DEVICE: (
            "您的 ipmarket 账户在新设备上登录",
            "您的账户在一个此前未使用过的浏览器或设备上登录。如果不是您本人，请立即修改密码并结束该会话。",
        ),
        people.SECOND_FACTOR_RESET: (
            "您的双重验证已被重置",
            "平台运营人员已移除您的双重验证方式，您下次登录时需重新设置。"
            "如果您并未提出此请求，请立即联系平台。",
        ),
    },
    "zh-Hant": {
        people.MEMBER_INVITED: (
            "{organisation}邀請您加入 ipmarket",
            "{organisation}邀請您以{roles}身分加入 ipmarket。請開啟下方連結接受邀請並設定密碼；"
            "連結僅能使用一次。",
        ),
        people.ORGANISATION_APPLIED: (
            "我們已收到{applicant}的加入申請",
            "感謝您的申請。平台營運人員審核後會以電子郵件通知結果。",
        ),
        people.ORGANISATION_APPLICATION_APPROVED: (
            "{applicant}的加入申請已通過",
            "您的申請已獲核准。稍後您將收到設定帳戶的邀請郵件。",
        ),
        people.ORGANISATION_APPLICATION_DECLINED: (
            "{applicant}的加入申請未獲通過",
            "平台營運人員未核准此申請，原因如下。歡迎您日後再次申請。",
        ),
        people.PASSWORD_RESET_REQUESTED: (
            "重設您的 ipmarket 密碼",
            "有人申請重設您帳戶的密碼。若是您本人操作，請開啟下方連結設定新密碼；"
            "連結僅能使用一次。若非您本人，請忽略此郵件，您的密碼不會變更。",
        ),
        people.SIGNED_IN_FROM_NEW_DEVICE: (
            "您的 ipmarket 帳戶在新裝置上登入",
            "您的帳戶在一個先前未使用過的瀏覽器或裝置上登入。若非您本人，請立即變更密碼並結束該工作階段。",
        ),
        people.SECOND_FACTOR_RESET: (
            "您的雙重驗證已被重設",
            "平台營運人員已移除您的雙重驗證方式，您下次登入時需重新設定。"
            "若您並未提出此要求，請立即聯絡平台。",
        ),
    },
}

# a member role as the invitation names it
ROLE_NAMES = {
    "en": {
        "owner": "owner",
        "publisher": "publisher",
        "approver": "approver",
        "buyer": "buyer",
        "finance": "finance officer",
        "viewer": "viewer",
    },
    "zh-Hans": {
        "owner": "所有者",
        "publisher": "发布者",
        "approver": "审批人",
        "buyer": "采购人",
        "finance": "财务人员",
        "viewer": "查看者",
    },
    "zh-Hant": {
        "owner": "擁有者",
        "publisher": "發佈者",
        "approver": "核准人",
        "buyer": "採購人",
        "finance": "財務人員",
        "viewer": "檢視者",
    },
}
ROLE_SEPARATOR = {"en": ", ", "zh-Hans": "、", "zh-Hant": "、"}
LABELS = {
    "en": {
        "link": "Link",
        "link_expires": "The link works until",
        "reason": "Reason",
        "device": "Browser or device",
        "address": "IP address",
        "signed_in_at": "Signed in",
        "greeting_nameless": "Hello,",
        "accept": "Accept the invitation",
        "reset": "Choose a new password",
        "footer": "ipmarket sent this message to {address} about your account or your "
        "organisation's application. It goes to no one else, and no setting turns it off.",
    },
    "zh-Hans": {
        "link": "链接",
        "link_expires": "链接有效期至",
        "reason": "原因",
        "device": "浏览器或设备",
        "address": "IP 地址",
        "signed_in_at": "登录时间",
        "greeting_nameless": "您好：",
        "accept": "接受邀请",
        "reset": "设置新密码",
        "footer": "此邮件由 ipmarket 发送至 {address}，内容与您的账户或入驻申请有关，"
        "不会发送给其他人，也无法通过设置关闭。",
    },
    "zh-Hant": {
        "link": "連結",
        "link_expires": "連結有效期限至",
        "reason": "原因",
        "device": "瀏覽器或裝置",
        "address": "IP 位址",
        "signed_in_at": "登入時間",
        "greeting_nameless": "您好：",
        "accept": "接受邀請",
        "reset": "設定新密碼",
        "footer": "此郵件由 ipmarket 寄送至 {address}，內容與您的帳戶或加入申請有關，"
        "不會寄送給其他人，也無法透過設定關閉。",
    },
}


def roles_text(roles: list[str], locale: str) -> str:
    names = ROLE_NAMES[locale]
    return ROLE_SEPARATOR[locale].join(names.get(role, role) for role in roles)


def link_for(event_type: str, data: dict, portal_url: str) -> str | None:
    """The single-use link the message carries, if any."""
    path = LINK_PATHS.get(event_type)
    if path is None:
        return None
    return f"{portal_url.rstrip('/')}{path}?token={data['link_token']}"


def account_rows(
    event_type: str, data: dict, occurred_at: datetime, locale: str, zone: ZoneInfo
) -> list[tuple[str, str]]:
    """(label, value) lines of the message's body, times in the addressee's zone."""
    labels = LABELS[locale]
    rows = []
    if event_type in LINK_PATHS:
        when = datetime.fromisoformat(data["expires_at"])
        rows.append((labels["link_expires"], format_when(when, locale, zone)))
    if event_type == people.ORGANISATION_APPLICATION_DECLINED and data.get("reason"):
        rows.append((labels["reason"], data["reason"]))
    if event_type == people.SIGNED_IN_FROM_NEW_DEVICE:
        when = datetime.fromisoformat(data["signed_in_at"])
        rows += [
            (labels["signed_in_at"], format_when(when, locale, zone)),
            (labels["device"], data["user_agent"]),
            (labels["address"], data["client_address"]),
        ]
    else:
        rows.append((NOTICE_LABELS[locale]["occurred_at"], format_when(occurred_at, locale, zone)))
    return rows

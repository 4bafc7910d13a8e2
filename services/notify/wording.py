"""What the notices say, in each language: a subject per event type and the labels of the email
templates. Placeholders: {core} (the VLNV), {organisation}, {days}, {key_name}, {url}.

zh-Hans follows Mainland usage (授权, IP 核, 密钥), zh-Hant follows Taiwan and Hong Kong usage
(授權, IP 核心, 金鑰).
"""
from __future__ import annotations

LOCALES = ("en", "zh-Hans", "zh-Hant")

SUBJECTS: dict[str, dict[str, str]] = {
    "en": {
        "ipmarket.license.requested.v1": "License request for {core}",
        "ipmarket.license.approved.v1": "License request approved: {core}",
        "ipmarket.license.rejected.v1": "License request rejected: {core}",
        "ipmarket.license.denied.v1": "License request refused by export screening: {core}",
        "ipmarket.license.issued.v1": "License issued: {core}",
        "ipmarket.license.suspended.v1": "License suspended: {core}",
        "ipmarket.license.reinstated.v1": "License reinstated: {core}",
        "ipmarket.license.revoked.v1": "License revoked: {core}",
        "ipmarket.license.renewed.v1": "License renewed: {core}",
        "ipmarket.license.expiring.v1": "Your license for {core} expires in {days} days",
        "ipmarket.license.expired.v1": "License expired: {core}",
        "ipmarket.core.published.v1": "New core published: {core}",
        "ipmarket.core.updated.v1": "Core updated: {core}",
        "ipmarket.core.deprecated.v1": "Core deprecated: {core}",
        "ipmarket.core.withdrawn.v1": "Core withdrawn: {core}",
        "ipmarket.organisation.registered.v1": "Welcome to ipmarket, {organisation}",
        "ipmarket.organisation.updated.v1": "Your organisation's details were updated",
        "ipmarket.api_key.created.v1": "New API key created: {key_name}",
        "ipmarket.api_key.revoked.v1": "An API key was revoked",
        "ipmarket.webhook_endpoint.disabled.v1": "Webhook endpoint disabled: {url}",
    },
    "zh-Hans": {
        "ipmarket.license.requested.v1": "{core} 的授权申请",
        "ipmarket.license.approved.v1": "授权申请已批准：{core}",
        "ipmarket.license.rejected.v1": "授权申请被拒绝：{core}",
        "ipmarket.license.denied.v1": "授权申请未通过出口管制审查：{core}",
        "ipmarket.license.issued.v1": "授权已签发：{core}",
        "ipmarket.license.suspended.v1": "授权已暂停：{core}",
        "ipmarket.license.reinstated.v1": "授权已恢复：{core}",
        "ipmarket.license.revoked.v1": "授权已撤销：{core}",
        "ipmarket.license.renewed.v1": "授权已续期：{core}",
        "ipmarket.license.expiring.v1": "您对 {core} 的授权将在 {days} 天后到期",
        "ipmarket.license.expired.v1": "授权已到期：{core}",
        "ipmarket.core.published.v1": "新 IP 核已发布：{core}",
        "ipmarket.core.updated.v1": "IP 核已更新：{core}",
        "ipmarket.core.deprecated.v1": "IP 核已停止推荐使用：{core}",
        "ipmarket.core.withdrawn.v1": "IP 核已下架：{core}",
        "ipmarket.organisation.registered.v1": "欢迎加入 ipmarket，{organisation}",
        "ipmarket.organisation.updated.v1": "贵机构的资料已更新",
        "ipmarket.api_key.created.v1": "已创建新的 API 密钥：{key_name}",
        "ipmarket.api_key.revoked.v1": "有一个 API 密钥已被撤销",
        "ipmarket.webhook_endpoint.disabled.v1": "Webhook 端点已停用：{url}",
    },
    "zh-Hant": {
        "ipmarket.license.requested.v1": "{core} 的授權申請",
        "ipmarket.license.approved.v1": "授權申請已核准：{core}",
        "ipmarket.license.rejected.v1": "授權申請遭拒絕：{core}",
        "ipmarket.license.denied.v1": "授權申請未通過出口管制審查：{core}",
        "ipmarket.license.issued.v1": "授權已核發：{core}",
        "ipmarket.license.suspended.v1": "授權已暫停：{core}",
        "ipmarket.license.reinstated.v1": "授權已恢復：{core}",
        "ipmarket.license.revoked.v1": "授權已撤銷：{core}",
        "ipmarket.license.renewed.v1": "授權已續約：{core}",
        "ipmarket.license.expiring.v1": "您對 {core} 的授權將於 {days} 天後到期",
        "ipmarket.license.expired.v1": "授權已到期：{core}",
        "ipmarket.core.published.v1": "新 IP 核心已發布：{core}",
        "ipmarket.core.updated.v1": "IP 核心已更新：{core}",
        "ipmarket.core.deprecated.v1": "IP 核心已不建議使用：{core}",
        "ipmarket.core.withdrawn.v1": "IP 核心已下架：{core}",
        "ipmarket.organisation.registered.v1": "歡迎加入 ipmarket，{organisation}",
        "ipmarket.organisation.updated.v1": "貴機構的資料已更新",
        "ipmarket.api_key.created.v1": "已建立新的 API 金鑰：{key_name}",
        "ipmarket.api_key.revoked.v1": "有一組 API 金鑰已被撤銷",
        "ipmarket.webhook_endpoint.disabled.v1": "Webhook 端點已停用：{url}",
    },
}

# Labels and sentences of the email templates.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Dear {name},",
        "core": "Core", "license": "License", "request": "Request", "project": "Project",
        "offer": "Offer", "reason": "Reason", "not_before": "Valid from",
        "expires_at": "Expires", "perpetual": "never (perpetual)", "status": "Status",
        "endpoint": "Endpoint", "occurred_at": "When",
        "vendor": "Vendor", "licensee": "Licensee",
        "footer": "You receive this notice as a contact of {organisation} on ipmarket. "
                  "Choose which notices you get at {preferences_url}.",
        "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
        "date_format": "{weekday} {day} {month_name} {year}, {hour:02d}:{minute:02d}",
        "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    },
    "zh-Hans": {
        "greeting": "{name}，您好：",
        "core": "IP 核", "license": "授权编号", "request": "申请编号", "project": "项目",
        "offer": "授权方式", "reason": "原因", "not_before": "生效时间",
        "expires_at": "到期时间", "perpetual": "永久有效", "status": "状态",
        "endpoint": "端点", "occurred_at": "时间",
        "vendor": "供应商", "licensee": "被授权方",
        "footer": "您以 {organisation} 联系人的身份收到此通知。"
                  "如需调整接收的通知，请前往 {preferences_url}。",
        "weekdays": "周一 周二 周三 周四 周五 周六 周日",
        "date_format": "{year}年{month}月{day}日（{weekday}）{hour:02d}:{minute:02d}",
        "months": "",
    },
    "zh-Hant": {
        "greeting": "{name}，您好：",
        "core": "IP 核心", "license": "授權編號", "request": "申請編號", "project": "專案",
        "offer": "授權方式", "reason": "原因", "not_before": "生效時間",
        "expires_at": "到期時間", "perpetual": "永久有效", "status": "狀態",
        "endpoint": "端點", "occurred_at": "時間",
        "vendor": "供應商", "licensee": "被授權方",
        "footer": "您以 {organisation} 聯絡人的身分收到此通知。"
                  "如需調整接收的通知，請前往 {preferences_url}。",
        "weekdays": "週一 週二 週三 週四 週五 週六 週日",
        "date_format": "{year}年{month}月{day}日（{weekday}）{hour:02d}:{minute:02d}",
        "months": "",
    },
}

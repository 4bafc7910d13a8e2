"""The notify service's rules, free of databases, web frameworks and the environment.

Vocabulary, used the same way in the code, the API and the README:

- **event** — something that happened in another service (or here), on Kafka: a type such as
  `ipmarket.license.issued.v1`, an id, a time and data.
- **notice** — this service's record of one event it tells people about (table `notice`,
  keyed by the event's id).
- **delivery** — one notice to one recipient over one channel: a webhook endpoint, or a
  contact's e-mail address (table `delivery`). Its `message_id` is the webhook-id / Message-ID
  header the receiver sees, the same on every attempt and replay.
- **attempt** — one try at sending a delivery, with its outcome (table `attempt`).

Modules: `routing` (who hears which event, over which channel), `retries` (the retry schedule
and Retry-After), `disabling` (when an endpoint is switched off), `signatures` and `webhooks`
(Standard Webhooks), `locales` and `wording` (language, time zone and words of an e-mail).
"""

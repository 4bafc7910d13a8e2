"""Events between services: unit_of_work (one transaction for a change and its events), outbox
(the rows and the relay that publishes them), consumer (idempotent handling, dead letters),
kafka_io (topics, producers, consumers with the project's settings)."""

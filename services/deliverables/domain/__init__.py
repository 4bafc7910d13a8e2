"""The deliverables' rules, free of HTTP, SQL and Kafka: what a deliverable kind and a file name
may be, how an upload is cut into parts, how a protected (IEEE 1735) file is recognised."""

-- One database per service: each service owns its tables and reads no other's.
CREATE DATABASE catalog;
CREATE DATABASE licensing;
CREATE DATABASE notify;
CREATE DATABASE deliverables;

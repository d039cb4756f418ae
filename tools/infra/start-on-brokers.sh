#!/usr/bin/env bash
# `npm run start:brokers`: the whole CRM on the real Apache Kafka broker and the MongoDB wire-compatible
# server of tools/infra, both fetched and started here without Docker. The event store stays SQLite:
# KurrentDB runs only in a container (see docker-compose.yml). Stop the brokers with `npm run brokers:stop`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/infra/kafka.sh start
tools/infra/mongodb.sh start
npm run build --silent
export BUS=kafka KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:19092}"
export READ_STORE=mongodb MONGODB_URL="${MONGODB_URL:-mongodb://127.0.0.1:27018/}"
exec node dist/tools/start.js

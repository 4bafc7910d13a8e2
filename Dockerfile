# One image for every ipmarket process; the command picks the role (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY ipmarket ipmarket
COPY services services
COPY shared shared
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --uid 10001 ipmarket
USER ipmarket
ENTRYPOINT ["ipmarket"]
CMD ["--help"]

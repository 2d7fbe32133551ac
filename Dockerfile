# syntax=docker/dockerfile:1
# Build a static binary, then run it as a non-root user with a volume for
# the review database.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The version is stamped from the build argument: .git is not copied, so
# the VCS information Go would stamp is missing here.
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.buildVersion=${VERSION}" -o /out/policycheck . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/policycheck /usr/local/bin/policycheck
# The volume starts owned by the non-root user so the database can be created.
COPY --from=build --chown=65532:65532 /out/data /data
ENV POLICYCHECK_DB_PATH=/data/policycheck.db \
    POLICYCHECK_HTTP_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/policycheck"]
CMD ["serve"]

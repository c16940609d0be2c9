# OpenLDAP with the ppolicy lockout overlay, seeded like the test lab (backend/labs/openldap.sh), for docker compose.
FROM debian:bookworm-slim
RUN echo "slapd slapd/no_configuration boolean true" | debconf-set-selections \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slapd ldap-utils openssl ca-certificates procps \
 && rm -rf /var/lib/apt/lists/*
COPY backend/labs /opt/labs
EXPOSE 1389
# The lab script daemonizes slapd; the container lives as long as slapd does.
CMD ["bash", "-c", "bash /opt/labs/openldap.sh start /var/lib/ldap-lab 1389 >/var/lib/ldap-lab.env && exec tail --pid=\"$(cat /var/lib/ldap-lab/run/slapd.pid)\" -f /dev/null"]

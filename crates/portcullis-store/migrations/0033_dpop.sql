-- DPoP (RFC 9449, issue 22): the key a public client's refresh-token family
-- is bound to (its RFC 7638 thumbprint; NULL for an unbound family), and the
-- jti of every proof accepted, kept until its iat window closes so that no
-- proof is accepted twice on any node.
ALTER TABLE refresh_tokens ADD COLUMN dpop_jkt TEXT;

CREATE TABLE dpop_proof_jtis (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    jkt        TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, jkt, jti)
);

// The PostgreSQL ledger's tables (issue 18). Like the SQLite ledger: entries at dense seqs (the
// primary key, never a sequence), append-only (triggers refuse UPDATE and DELETE), checkpoints
// keyed by size with a compare-and-swap row that cannot go backwards. Besides: the single head
// row every append locks, and the service tables several instances share (Idempotency-Key
// answers, webhook delivery claims).

/** Migrations, applied in order under an advisory lock; index + 1 is the schema version. */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE yishi_meta (key text PRIMARY KEY, value text NOT NULL);

  -- The head: one row, locked (SELECT ... FOR UPDATE) by every append transaction. The entries
  -- trigger below moves it, so an insert at any seq but size is refused.
  CREATE TABLE ledger_head (
    id integer PRIMARY KEY CHECK (id = 1),
    size bigint NOT NULL CHECK (size >= 0),
    prev text NOT NULL CHECK (prev ~ '^[0-9a-f]{64}$')
  );
  INSERT INTO ledger_head (id, size, prev) VALUES (1, 0, repeat('0', 64));

  CREATE TABLE entries (
    seq bigint PRIMARY KEY CHECK (seq >= 0),
    leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
    body text NOT NULL,
    -- RFC 6962 leaf hash: SHA-256(0x00 || body). The database refuses a row whose hash lies.
    CHECK (leaf_hash = sha256('\\x00'::bytea || convert_to(body, 'UTF8')))
  );

  CREATE FUNCTION yishi_entries_advance() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE ledger_head SET size = NEW.seq + 1, prev = encode(NEW.leaf_hash, 'hex')
      WHERE id = 1 AND size = NEW.seq;
    IF NOT FOUND THEN RAISE EXCEPTION 'seq-not-contiguous' USING ERRCODE = 'check_violation'; END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER entries_advance BEFORE INSERT ON entries
    FOR EACH ROW EXECUTE FUNCTION yishi_entries_advance();

  CREATE FUNCTION yishi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'append-only' USING ERRCODE = 'restrict_violation'; END $$;
  CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION yishi_append_only();
  CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head
    FOR EACH ROW EXECUTE FUNCTION yishi_append_only();

  CREATE FUNCTION yishi_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.size <> OLD.size + 1 THEN
      RAISE EXCEPTION 'head-not-forward' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER ledger_head_forward BEFORE UPDATE ON ledger_head
    FOR EACH ROW EXECUTE FUNCTION yishi_head_forward();

  CREATE TABLE nonces (
    bucket bigint NOT NULL,
    public_key text NOT NULL,
    nonce text NOT NULL,
    seq bigint NOT NULL REFERENCES entries (seq),
    PRIMARY KEY (bucket, public_key, nonce)
  );

  CREATE TABLE checkpoints (
    size bigint PRIMARY KEY CHECK (size >= 0),
    root bytea NOT NULL CHECK (length(root) = 32),
    note text NOT NULL,
    signed_at bigint NOT NULL
  );
  CREATE FUNCTION yishi_checkpoint_within_tree() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.size > (SELECT size FROM ledger_head WHERE id = 1) THEN
      RAISE EXCEPTION 'checkpoint-beyond-tree' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER checkpoints_within_tree BEFORE INSERT ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION yishi_checkpoint_within_tree();
  CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION yishi_append_only();

  -- The compare-and-swap row: UPDATE ... WHERE size = expected; never backwards.
  CREATE TABLE latest_checkpoint (
    id integer PRIMARY KEY CHECK (id = 1),
    size bigint NOT NULL CHECK (size >= 0),
    note text
  );
  INSERT INTO latest_checkpoint (id, size, note) VALUES (1, 0, NULL);
  CREATE FUNCTION yishi_checkpoint_forward() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.size < OLD.size OR NEW.id <> OLD.id OR (NEW.note IS NULL AND OLD.note IS NOT NULL) THEN
      RAISE EXCEPTION 'checkpoint-backwards' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER latest_checkpoint_forward BEFORE UPDATE ON latest_checkpoint
    FOR EACH ROW EXECUTE FUNCTION yishi_checkpoint_forward();
  CREATE TRIGGER latest_checkpoint_no_delete BEFORE DELETE ON latest_checkpoint
    FOR EACH ROW EXECUTE FUNCTION yishi_append_only();

  -- Idempotency-Key answers shared by every instance: response NULL while the first request is
  -- being processed (claimed_at says since when).
  CREATE TABLE idempotency (
    public_key text NOT NULL,
    idem_key text NOT NULL,
    request_digest text NOT NULL,
    response text,
    created_at bigint NOT NULL,
    PRIMARY KEY (public_key, idem_key)
  );

  -- One row per (webhook, report) delivered: the instance that inserted it delivers, no other.
  CREATE TABLE delivery_claims (
    target text NOT NULL,
    report_id text NOT NULL,
    claimant text NOT NULL,
    claimed_at bigint NOT NULL,
    PRIMARY KEY (target, report_id)
  );
  `,
  `
  -- Webhook delivery claims with a lease (issue 18 §3): a claim whose holder neither finished nor
  -- renewed it by expires_at is taken over (NULL: never); done once the delivery ended.
  ALTER TABLE delivery_claims ADD COLUMN expires_at bigint, ADD COLUMN done boolean NOT NULL DEFAULT false;

  -- Webhook registrations shared by every instance (service commands, never on the ledger).
  CREATE TABLE webhooks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url text NOT NULL,
    registered_by text NOT NULL,
    created_at bigint NOT NULL,
    after_seq bigint NOT NULL,
    active boolean NOT NULL,
    command text NOT NULL UNIQUE
  );
  `,
];

// @ts-check
// Every change of a JSON Web Key is announced on `tollgate_changes` with its set, so each replica drops that set
// from its key cache at once (keys/key-manager.ts) instead of after its 30 s TTL: a key deleted through one
// replica (or directly in SQL) stops verifying tokens on all of them.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.raw(`
    CREATE FUNCTION tollgate_notify_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('tollgate_changes',
        json_build_object('table', 'jwks', 'id', COALESCE(NEW.set_id, OLD.set_id))::text);
      IF TG_OP = 'UPDATE' AND NEW.set_id IS DISTINCT FROM OLD.set_id THEN
        PERFORM pg_notify('tollgate_changes', json_build_object('table', 'jwks', 'id', OLD.set_id)::text);
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER jwks_notify AFTER INSERT OR UPDATE OR DELETE ON jwks
      FOR EACH ROW EXECUTE FUNCTION tollgate_notify_key_change();
  `);
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.raw(`
    DROP TRIGGER IF EXISTS jwks_notify ON jwks;
    DROP FUNCTION IF EXISTS tollgate_notify_key_change();
  `);
}

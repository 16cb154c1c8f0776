// @ts-check
// Every change of a client, and every statement that deletes access tokens, is announced on the
// `tollgate_changes` channel (delivered at commit), so each replica drops its cached copies at once
// (storage/pg-change-listener.ts), whichever replica or tool made the change.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.raw(`
    CREATE FUNCTION tollgate_notify_client_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('tollgate_changes',
        json_build_object('table', 'oauth2_clients', 'id', COALESCE(NEW.client_id, OLD.client_id))::text);
      IF TG_OP = 'UPDATE' AND NEW.client_id IS DISTINCT FROM OLD.client_id THEN
        PERFORM pg_notify('tollgate_changes',
          json_build_object('table', 'oauth2_clients', 'id', OLD.client_id)::text);
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER oauth2_clients_notify AFTER INSERT OR UPDATE OR DELETE ON oauth2_clients
      FOR EACH ROW EXECUTE FUNCTION tollgate_notify_client_change();

    CREATE FUNCTION tollgate_notify_token_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('tollgate_changes', json_build_object('table', TG_TABLE_NAME, 'id', '*')::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER oauth2_access_tokens_notify AFTER DELETE ON oauth2_access_tokens
      FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_token_deletion();
  `);
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.raw(`
    DROP TRIGGER IF EXISTS oauth2_access_tokens_notify ON oauth2_access_tokens;
    DROP FUNCTION IF EXISTS tollgate_notify_token_deletion();
    DROP TRIGGER IF EXISTS oauth2_clients_notify ON oauth2_clients;
    DROP FUNCTION IF EXISTS tollgate_notify_client_change();
  `);
}

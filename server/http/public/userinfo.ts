// GET|POST /userinfo (OpenID Connect Core §5.3): the token is read as fosite reads it and the answer comes from
// the userinfo domain (server/oidc/userinfo.ts); a signed answer is sent as `application/jwt` (§5.3.2).
import type { FormFields } from '../../oauth2/form.js';
import { accessTokenFromRequest, type Userinfo } from '../../oidc/userinfo.js';

type TokenCarrier = FormFields<'access_token'> | undefined;

export function userinfoHandlers(userinfo: Userinfo) {
  async function reply(token: string) {
    const answer = await userinfo.answer(token);
    return answer.kind === 'jwt'
      ? { status: 200 as const, body: answer.token, headers: { 'Content-Type': 'application/jwt' } }
      : { status: 200 as const, body: answer.claims };
  }
  return {
    // Go's Request.Form: a GET has only its query.
    getOidcUserInfo: (request: { authorization: string | undefined; query: TokenCarrier }) =>
      reply(accessTokenFromRequest(request.authorization, request.query)),
    // A POST: the body first, then the query.
    postOidcUserInfo: (request: {
      authorization: string | undefined;
      body: TokenCarrier;
      query: TokenCarrier;
    }) => reply(accessTokenFromRequest(request.authorization, request.body, request.query)),
  };
}

// Module hooks for test/helpers/cdktn.mjs (they run on the loader thread).
let urls;

export function initialize(data) {
  urls = data;
}

export async function resolve(specifier, context, next) {
  const fromLibrary = context.parentURL?.startsWith(urls.libraryUrl) ?? false;
  if (!fromLibrary && (specifier === 'cdktf' || specifier.startsWith('cdktf/'))) {
    return next(`cdktn${specifier.slice('cdktf'.length)}`, context);
  }
  const resolved = await next(specifier, context);
  if (resolved.url.split('?')[0] === urls.coreUrl) return { ...resolved, url: urls.switchedCoreUrl };
  return resolved;
}

# Tollgate runs its TypeScript sources through tsx, so the image needs no build step beyond `npm ci`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY server ./server
COPY sdk ./sdk
COPY openapi.yaml tsconfig.json ./
USER node
EXPOSE 4444 4445
ENTRYPOINT ["node", "bin/tollgate.js"]
CMD ["serve", "all"]

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workflows workflows
COPY activities activities
COPY bin bin
COPY mappings mappings
RUN npm run build && npm prune --omit=dev
USER node
CMD ["node", "bin/baton.js", "worker"]

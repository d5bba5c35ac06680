import { defineConfig } from 'prisma/config';

// The CLI is used only for `prisma generate` here: migrations are SQL files applied by
// libs/db's runner (the schema engine cannot be downloaded on these machines).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});

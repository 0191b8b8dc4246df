import type postgres from 'postgres'

/** A row of the `users` table: the service's source of truth. */
export interface User {
  id: number
  name: string
  email: string
  updatedAt: string
}

/** The `users` table, through postgres.js. */
export class Users {
  readonly #sql: postgres.Sql

  constructor(sql: postgres.Sql) {
    this.#sql = sql
  }

  /** Creates the table and a few users if missing (safe to run from every instance). */
  async migrate(): Promise<void> {
    await this.#sql`
      CREATE TABLE IF NOT EXISTS users (
        id integer PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`
    await this.#sql`
      INSERT INTO users (id, name, email)
      SELECT i, 'user ' || i, 'user' || i || '@example.com' FROM generate_series(1, 10) AS i
      ON CONFLICT (id) DO NOTHING`
  }

  async find(id: number): Promise<User | null> {
    const rows = await this.#sql<{ id: number; name: string; email: string; updated_at: Date }[]>`
      SELECT id, name, email, updated_at FROM users WHERE id = ${id}`
    const row = rows[0]
    return row
      ? { id: row.id, name: row.name, email: row.email, updatedAt: row.updated_at.toISOString() }
      : null
  }

  /** Updates a user; resolves `false` when there is no such user. */
  async update(id: number, changes: { name: string; email: string }): Promise<boolean> {
    const result = await this.#sql`
      UPDATE users SET name = ${changes.name}, email = ${changes.email}, updated_at = now()
      WHERE id = ${id}`
    return result.count === 1
  }
}

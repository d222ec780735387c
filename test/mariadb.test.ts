import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyTable } from '../src/stack/acode-data.js';
import { mariaInstance, rootConnection, waitForReplicaCatchUp } from '../src/stack/mariadb.js';
import { acodeDatabase, loopback, mysqlAccounts, ports } from '../src/stack/services.js';

const writer = { user: 'stack_test_writer', password: `pw-${Date.now()}` };

describe('MariaDB primary and read-only replica', () => {
  let primary: mysql.Connection;

  beforeAll(async () => {
    primary = await rootConnection(mariaInstance('primary'));
    await primary.query(`USE ${acodeDatabase}`);
    // A writer account (replicated to the replica) that has INSERT but no READ ONLY ADMIN.
    await primary.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [writer.user, writer.password]);
    await primary.query(`GRANT SELECT, INSERT ON ${acodeDatabase}.* TO ?@'%'`, [writer.user]);
  });

  afterAll(async () => {
    await primary.query("DROP USER IF EXISTS ?@'%'", [writer.user]);
    await primary.end();
  });

  it('replicates a row inserted on the primary to the replica', async () => {
    const marker = `Replication probe ${Date.now()}`;
    await primary.query(
      `INSERT INTO ${dailyTable} (Data_Processamento, Data_Venda, CNPJ_Loja, Codigo_Loja, Nome_Loja, UF, Cidade,
        Qtd_Cupons, Qtd_Itens, Valor_Bruto, Valor_Desconto, Valor_Liquido, Ticket_Medio)
       VALUES (NOW(), CURDATE(), '00000000000000', 1, ?, 'SP', 'São Paulo', 1, 1, 1, 0, 1, 1)`,
      [marker],
    );
    await waitForReplicaCatchUp();
    const replica = await mysql.createConnection({
      host: loopback,
      port: ports.mariadbReplica,
      user: mysqlAccounts.backup.user,
      password: process.env[mysqlAccounts.backup.passwordEnv],
      database: acodeDatabase,
    });
    try {
      const [rows] = await replica.query<mysql.RowDataPacket[]>(
        `SELECT Cidade FROM ${dailyTable} WHERE Nome_Loja = ?`,
        [marker],
      );
      expect(rows).toEqual([{ Cidade: 'São Paulo' }]);
    } finally {
      await replica.end();
    }
    await primary.query(`DELETE FROM ${dailyTable} WHERE Nome_Loja = ?`, [marker]);
  });

  it('refuses writes on the replica, even from an account allowed to insert', async () => {
    await waitForReplicaCatchUp();
    const replica = await mysql.createConnection({
      host: loopback,
      port: ports.mariadbReplica,
      user: writer.user,
      password: writer.password,
      database: acodeDatabase,
    });
    try {
      await expect(
        replica.query(`INSERT INTO ${dailyTable} (Data_Processamento, Data_Venda, CNPJ_Loja, Codigo_Loja, Nome_Loja, UF,
          Cidade, Qtd_Cupons, Qtd_Itens, Valor_Bruto, Valor_Desconto, Valor_Liquido, Ticket_Medio)
          VALUES (NOW(), CURDATE(), '0', 1, 'x', 'SP', 'x', 1, 1, 1, 0, 1, 1)`),
      ).rejects.toMatchObject({ code: 'ER_OPTION_PREVENTS_STATEMENT' });
      const [[ro]] = await replica.query<mysql.RowDataPacket[]>('SELECT @@read_only AS ro');
      expect(ro).toEqual({ ro: 1 });
    } finally {
      await replica.end();
    }
  });

  it('holds the seeded ACODE tables with recent data on both sides', async () => {
    const [[row]] = await primary.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n, TIMESTAMPDIFF(HOUR, MAX(Data_Processamento), NOW()) AS age_h FROM ${dailyTable}`,
    );
    expect(Number(row?.n)).toBeGreaterThan(0);
    expect(Number(row?.age_h)).toBeLessThan(24);
  });
});

// The ACODE source schema (pharmacy sales analytics of the Farmarcas network) and a deterministic
// generator of realistic rows, used to seed the sandbox and, with large row counts, by benchmarks.
import type { Connection, Pool } from 'mysql2/promise';

export const dailyTable = 'farmarcas_si_analitico_diario';
export const productsTable = 'farmarcas_si_analitico_diario_produtos';

export const acodeSchemaSql = [
  `CREATE TABLE IF NOT EXISTS ${dailyTable} (
    idpk BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    Data_Processamento DATETIME NOT NULL,
    Data_Venda DATE NOT NULL,
    CNPJ_Loja CHAR(14) NOT NULL,
    Codigo_Loja INT UNSIGNED NOT NULL,
    Nome_Loja VARCHAR(120) NOT NULL,
    UF CHAR(2) NOT NULL,
    Cidade VARCHAR(80) NOT NULL,
    Qtd_Cupons INT UNSIGNED NOT NULL,
    Qtd_Itens INT UNSIGNED NOT NULL,
    Valor_Bruto DECIMAL(14,2) NOT NULL,
    Valor_Desconto DECIMAL(14,2) NOT NULL,
    Valor_Liquido DECIMAL(14,2) NOT NULL,
    Ticket_Medio DECIMAL(10,2) NOT NULL,
    KEY idx_data_processamento (Data_Processamento)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE IF NOT EXISTS ${productsTable} (
    idpk BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    Data_Processamento DATETIME NOT NULL,
    Data_Venda DATE NOT NULL,
    CNPJ_Loja CHAR(14) NOT NULL,
    Codigo_Loja INT UNSIGNED NOT NULL,
    EAN VARCHAR(14) NOT NULL,
    Descricao_Produto VARCHAR(160) NOT NULL,
    Fabricante VARCHAR(80) NOT NULL,
    Categoria VARCHAR(60) NOT NULL,
    Principio_Ativo VARCHAR(120) NULL,
    Generico TINYINT(1) NOT NULL,
    Quantidade INT UNSIGNED NOT NULL,
    Preco_Unitario DECIMAL(10,2) NOT NULL,
    Valor_Desconto DECIMAL(12,2) NOT NULL,
    Valor_Total DECIMAL(12,2) NOT NULL,
    KEY idx_data_processamento (Data_Processamento)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
];

/** mulberry32: a tiny seeded PRNG, so the same options always give the same rows. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** State and city of the generated stores (also used by the dump benchmark's SQL generator). */
export const cities = [
  ['SP', 'São Paulo'],
  ['SP', 'Campinas'],
  ['RJ', 'Rio de Janeiro'],
  ['MG', 'Belo Horizonte'],
  ['PR', 'Curitiba'],
  ['RS', 'Porto Alegre'],
  ['BA', 'Salvador'],
  ['PE', 'Recife'],
] as const;

const products = [
  ['Dipirona Monoidratada 500mg 10 comp', 'EMS', 'Analgésicos', 'Dipirona', 1, 6.9],
  ['Paracetamol 750mg 20 comp', 'Medley', 'Analgésicos', 'Paracetamol', 1, 12.5],
  ['Losartana Potássica 50mg 30 comp', 'Eurofarma', 'Cardiovascular', 'Losartana', 1, 18.9],
  ['Omeprazol 20mg 28 cáps', 'Neo Química', 'Gastro', 'Omeprazol', 1, 22.4],
  ['Amoxicilina 500mg 21 cáps', 'Teuto', 'Antibióticos', 'Amoxicilina', 1, 29.9],
  ['Protetor Solar FPS 50 200ml', 'La Roche-Posay', 'Dermocosméticos', null, 0, 89.9],
  ['Vitamina C 1g 10 comp efervescentes', 'Cimed', 'Vitaminas', 'Ácido ascórbico', 0, 15.5],
  ['Fralda Infantil G 32 un', 'Pampers', 'Infantil', null, 0, 54.9],
  ['Shampoo Anticaspa 200ml', 'Clear', 'Higiene', null, 0, 24.9],
  ['Ibuprofeno 600mg 20 comp', 'Prati-Donaduzzi', 'Anti-inflamatórios', 'Ibuprofeno', 1, 16.8],
] as const;

export interface GenerateOptions {
  /** How many days back from `now`, one processing batch per day. */
  days: number;
  storesPerDay: number;
  productsPerStore: number;
  now?: Date;
  seed?: number;
}

const money = (v: number): string => v.toFixed(2);
const sqlDate = (d: Date): string => d.toISOString().slice(0, 10);
const sqlDateTime = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

function storeOf(i: number): { cnpj: string; code: number; name: string; uf: string; city: string } {
  const [uf, city] = cities[i % cities.length] ?? cities[0];
  return {
    cnpj: String(11222333000100 + i * 101).padStart(14, '0'),
    code: 1000 + i,
    name: `Farmarcas Loja ${1000 + i} ${city}`,
    uf,
    city,
  };
}

export type Row = (string | number | null)[];

export const dailyColumns = [
  'Data_Processamento',
  'Data_Venda',
  'CNPJ_Loja',
  'Codigo_Loja',
  'Nome_Loja',
  'UF',
  'Cidade',
  'Qtd_Cupons',
  'Qtd_Itens',
  'Valor_Bruto',
  'Valor_Desconto',
  'Valor_Liquido',
  'Ticket_Medio',
] as const;

export const productColumns = [
  'Data_Processamento',
  'Data_Venda',
  'CNPJ_Loja',
  'Codigo_Loja',
  'EAN',
  'Descricao_Produto',
  'Fabricante',
  'Categoria',
  'Principio_Ativo',
  'Generico',
  'Quantidade',
  'Preco_Unitario',
  'Valor_Desconto',
  'Valor_Total',
] as const;

/**
 * Yields batches of rows for both tables, day by day: sales of day d are processed
 * d days before `now`, so the newest Data_Processamento is minutes old (fresh data).
 */
export function* generateAcodeRows(
  opts: GenerateOptions,
  batchSize = 1000,
): Generator<{ table: typeof dailyTable | typeof productsTable; rows: Row[] }> {
  const rand = prng(opts.seed ?? 42);
  const now = (opts.now ?? new Date()).getTime();
  const day = 86_400_000;
  let daily: Row[] = [];
  let items: Row[] = [];
  for (let d = 0; d < opts.days; d++) {
    const saleDate = sqlDate(new Date(now - (d + 1) * day));
    for (let s = 0; s < opts.storesPerDay; s++) {
      const store = storeOf(s);
      const processed = sqlDateTime(new Date(now - d * day - Math.floor(rand() * 3_600_000)));
      let gross = 0;
      let discount = 0;
      let itemCount = 0;
      for (let p = 0; p < opts.productsPerStore; p++) {
        const [desc, maker, category, active, generic, price] = products[(s + p) % products.length] ?? products[0];
        const qty = 1 + Math.floor(rand() * 40);
        const unit = price * (0.9 + rand() * 0.2);
        const disc = generic ? unit * qty * 0.15 * rand() : unit * qty * 0.05 * rand();
        gross += unit * qty;
        discount += disc;
        itemCount += qty;
        items.push([
          processed,
          saleDate,
          store.cnpj,
          store.code,
          String(7890000000000 + ((s * 31 + p) % products.length) * 97),
          desc,
          maker,
          category,
          active,
          generic,
          qty,
          money(unit),
          money(disc),
          money(unit * qty - disc),
        ]);
        if (items.length >= batchSize) {
          yield { table: productsTable, rows: items };
          items = [];
        }
      }
      const coupons = Math.max(1, Math.floor(itemCount / (1.5 + rand() * 2)));
      const net = gross - discount;
      daily.push([
        processed,
        saleDate,
        store.cnpj,
        store.code,
        store.name,
        store.uf,
        store.city,
        coupons,
        itemCount,
        money(gross),
        money(discount),
        money(net),
        money(net / coupons),
      ]);
      if (daily.length >= batchSize) {
        yield { table: dailyTable, rows: daily };
        daily = [];
      }
    }
  }
  if (daily.length) yield { table: dailyTable, rows: daily };
  if (items.length) yield { table: productsTable, rows: items };
}

/** Inserts generated rows with multi-row INSERTs; returns the row count per table. */
export async function fillAcodeTables(
  db: Pool | Connection,
  opts: GenerateOptions,
  onProgress?: (inserted: number) => void,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = { [dailyTable]: 0, [productsTable]: 0 };
  let total = 0;
  for (const { table, rows } of generateAcodeRows(opts)) {
    const columns = table === dailyTable ? dailyColumns : productColumns;
    await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows]);
    counts[table] = (counts[table] ?? 0) + rows.length;
    total += rows.length;
    onProgress?.(total);
  }
  return counts;
}

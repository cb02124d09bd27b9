// The TypeScript client generated from /openapi.json (openapi-typescript
// types, openapi-fetch calls), driven against a real server that
// tsclient_test.go starts; run it with internal/tsclient/run.sh. Amounts are
// JavaScript numbers (binary float64): the test checks that every amount
// the server answers reads back exactly, to the last digit, against the
// contract's arithmetic done here in exact rationals.
import { test } from "node:test";
import assert from "node:assert/strict";
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Order = components["schemas"]["Order"];
type OrderLineInput = components["schemas"]["OrderLineInput"];
type Problem = components["schemas"]["Problem"];

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this test through tsclient_test.go (internal/tsclient/run.sh)`);
  return v;
};
const baseUrl = env("SALESMANIA_URL");
const email = env("SALESMANIA_EMAIL");
const password = env("SALESMANIA_PASSWORD");
// A request that breaks the document on purpose carries this header, so
// that the test's validating proxy lets it through.
const skipValidation = { [env("SALESMANIA_SKIP_VALIDATION_HEADER")]: "1" };

const client = createClient<paths>({ baseUrl });

// ---- exact rationals, for the expected money ----
type Rat = { n: bigint; d: bigint };
const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a;
};
const norm = (n: bigint, d: bigint): Rat => {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
// rat reads a decimal as JSON or String(number) writes it: "-12.5", "1e-8".
const rat = (s: string): Rat => {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(s);
  if (!m) throw new Error(`not a decimal: ${s}`);
  const frac = m[3] ?? "";
  let n = BigInt(m[2] + frac);
  let d = 10n ** BigInt(frac.length);
  const e = Number(m[4] ?? 0);
  if (e > 0) n *= 10n ** BigInt(e);
  if (e < 0) d *= 10n ** BigInt(-e);
  return norm(m[1] ? -n : n, d);
};
const add = (a: Rat, b: Rat) => norm(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Rat, b: Rat) => norm(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Rat, b: Rat) => norm(a.n * b.n, a.d * b.d);
const round2 = (a: Rat): Rat => { // half away from zero
  const neg = a.n < 0n;
  const abs = neg ? -a.n : a.n;
  const q = (abs * 200n + a.d) / (2n * a.d); // floor(|a| × 100 + 1/2)
  return norm(neg ? -q : q, 100n);
};
const str = (a: Rat): string => {
  for (let k = 0n; k <= 40n; k++) {
    const scale = 10n ** k;
    if ((a.n * scale) % a.d === 0n) {
      const v = (a.n * scale) / a.d;
      const neg = v < 0n;
      const digits = (neg ? -v : v).toString().padStart(Number(k) + 1, "0");
      const i = digits.length - Number(k);
      return (neg ? "-" : "") + digits.slice(0, i) + (k > 0n ? "." + digits.slice(i) : "");
    }
  }
  throw new Error("not a finite decimal");
};
// keep is Π(1 − p/100) of a discount expression.
const keep = (expr: string): Rat =>
  expr === "" ? rat("1") : expr.split("+").reduce((k, p) => mul(k, sub(rat("1"), mul(rat(p), rat("0.01")))), rat("1"));

type Line = { qty: string; price: string; percent: string };

// expected computes an order's money exactly (API §6.1).
function expected(lines: Line[], percent: string): Map<string, string> {
  const out = new Map<string, string>();
  let subtotal = rat("0");
  lines.forEach((l, i) => {
    const gross = mul(rat(l.qty), rat(l.price));
    const net = round2(mul(gross, keep(l.percent)));
    out.set(`ordered_products[${i}].qty`, str(rat(l.qty)));
    out.set(`ordered_products[${i}].price`, str(rat(l.price)));
    out.set(`ordered_products[${i}].gross`, str(gross));
    out.set(`ordered_products[${i}].net`, str(net));
    out.set(`ordered_products[${i}].discount`, str(sub(gross, net)));
    subtotal = add(subtotal, net);
  });
  const discount = round2(sub(subtotal, mul(subtotal, keep(percent))));
  out.set("subtotal", str(subtotal));
  out.set("discount", str(discount));
  out.set("total", str(sub(subtotal, discount)));
  return out;
}

// amounts returns the amounts of an order as a JavaScript program holds
// them, each written exactly as the number it is.
function amounts(o: Order): Map<string, string> {
  const out = new Map<string, string>();
  const put = (k: string, v: number) => out.set(k, str(rat(String(v))));
  o.ordered_products.forEach((l, i) => {
    put(`ordered_products[${i}].qty`, l.qty);
    put(`ordered_products[${i}].price`, l.price);
    put(`ordered_products[${i}].gross`, l.gross);
    put(`ordered_products[${i}].net`, l.net);
    put(`ordered_products[${i}].discount`, l.discount);
  });
  put("subtotal", o.subtotal);
  put("discount", o.discount);
  put("total", o.total);
  return out;
}

// ---- the flow ----
let teamToken = "";

test("login: bearer token, databases, team token", async () => {
  const basic = "Basic " + Buffer.from(`${email}:${password}`).toString("base64");
  const tok = await client.GET("/extapi/v1.0/token", { headers: { Authorization: basic } });
  assert.equal(tok.response.status, 200);
  assert.ok(tok.data);
  assert.equal(tok.data.token_type, "Bearer");
  const bearer: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${tok.data!.token}`);
      return request;
    },
  };
  client.use(bearer);

  const dbs = await client.GET("/extapi/v1.0/databases");
  assert.equal(dbs.response.status, 200);
  assert.equal(dbs.data?.data.length, 1);
  const db = dbs.data!.data[0];
  assert.equal(db.role, "admin");

  const tt = await client.GET("/extapi/v1.0/team_token", { params: { query: { db_id: db.id } } });
  assert.equal(tt.response.status, 200);
  assert.equal(tt.data?.db_id, db.id);
  teamToken = tt.data!.team_token;
});

test("team token as the explicit query and header parameters", async () => {
  const byQuery = await client.GET("/extapi/v1.0/teams", { params: { query: { team_token: teamToken } } });
  const byHeader = await client.GET("/extapi/v1.0/teams", { params: { header: { "X-Team-Token": teamToken } } });
  assert.equal(byQuery.response.status, 200);
  assert.deepEqual(byQuery.data, byHeader.data);
  assert.deepEqual(byQuery.data?.data.map((t) => t.name), ["Budi", "Sari"]);
  const none = await client.GET("/extapi/v1.0/teams", { headers: skipValidation });
  assert.equal(none.response.status, 403);
  assert.equal((none.error as Problem).status, 403);
});

let customerId = 0;
let productId = 0;

test("customers: create, clear a location with null, list with filters", async () => {
  const q = { team_token: teamToken };
  const a = await client.POST("/extapi/v1.0/customers", {
    params: { query: q },
    body: { name: " Toko Sumber Rejeki ", ext_cust_no: "C-0001", location: { lat: -7.110383, lon: 110.473812 }, tags: ["grosir"] },
  });
  assert.equal(a.response.status, 200);
  assert.equal(a.data?.name, "Toko Sumber Rejeki");
  assert.deepEqual(a.data?.location, { lat: -7.110383, lon: 110.473812 });
  customerId = a.data!.id;
  const b = await client.POST("/extapi/v1.0/customers", {
    params: { header: { "X-Team-Token": teamToken } },
    body: { name: "Toko Sumber Makmur", location: { lat: -6.966667, lon: 110.416664 }, tags: ["eceran"] },
  });
  assert.equal(b.response.status, 200);

  const cleared = await client.PATCH("/extapi/v1.0/customers/{id}", {
    params: { path: { id: String(customerId) }, query: q },
    body: { location: null },
  });
  assert.equal(cleared.response.status, 200);
  assert.equal(cleared.data?.location, null);
  assert.equal(cleared.data?.ext_cust_no, "C-0001");

  const cases: [paths["/extapi/v1.0/customers"]["get"]["parameters"]["query"], number[]][] = [
    [{ q: "rejeki" }, [customerId]],
    [{ tag: "eceran" }, [b.data!.id]],
    [{ ext_cust_no: "C-0001" }, [customerId]],
    [{ status: false }, []],
    [{ q: "toko sumber", include_total: true, limit: 1 }, [customerId]],
  ];
  for (const [filter, want] of cases) {
    const l = await client.GET("/extapi/v1.0/customers", { params: { query: { ...filter, team_token: teamToken } } });
    assert.equal(l.response.status, 200, JSON.stringify(filter));
    assert.deepEqual(l.data?.data.map((c) => c.id), want, JSON.stringify(filter));
    if (filter?.include_total) {
      assert.equal(l.data?.total, 2);
      assert.notEqual(l.data?.next_cursor, null);
    }
  }
});

test("products", async () => {
  const p = await client.POST("/extapi/v1.0/products", {
    params: { query: { team_token: teamToken } },
    body: {
      name: "Indomie Goreng", default_disc: "5 + 2", qty_on_hand: 1200.0001,
      product_units: [{ name: "PCS", price: 3500, ratio: 1 }, { name: "DUS", price: 130000, ratio: 40 },
        { name: "PALET", price: 99999999999.9999, ratio: 999999999 }],
    },
  });
  assert.equal(p.response.status, 200);
  assert.equal(p.data?.default_disc, "5+2");
  assert.equal(String(p.data?.qty_on_hand), "1200.0001");
  assert.equal(String(p.data?.product_units[2].price), "99999999999.9999");
  productId = p.data!.id;
});

test("visits: create and check in", async () => {
  const v = await client.POST("/extapi/v1.1/visits", {
    params: { query: { team_token: teamToken } },
    body: { date: "2026-03-02", customer_id: customerId },
  });
  assert.equal(v.response.status, 200);
  assert.equal(v.data?.status, "planned");
  assert.equal(v.data?.check_in, null);
  const c = await client.POST("/extapi/v1.1/visits/{id}/check-in", {
    params: { path: { id: String(v.data!.id) }, header: { "X-Team-Token": teamToken } },
    body: { lat: -7.11041, lon: 110.47379, accuracy_m: 12, device_time: "2026-03-02T09:14:05+07:00" },
  });
  assert.equal(c.response.status, 200);
  assert.equal(c.data?.status, "checked_in");
  // The customer's location was cleared: the check-in cannot be verified.
  assert.equal(c.data?.check_in?.verification, "unverifiable");
  assert.equal(c.data?.check_in?.device_time, "2026-03-02T09:14:05+07:00");
});

const orderCases: { name: string; lines: Line[]; percent: string; total?: string }[] = [
  // API §6's worked example.
  { name: "seed example", lines: [{ qty: "2", price: "130000", percent: "10+5" }], percent: "2", total: "217854" },
  // The price: float32 would have sent 1234567.9.
  { name: "1234567.89", lines: [{ qty: "3", price: "1234567.89", percent: "" }, { qty: "0.5", price: "130000", percent: "" }],
    percent: "", total: "3768703.67" },
  // 4-decimal quantities and prices, cascades of 5 percentages.
  { name: "4 decimals and cascades", lines: [
    { qty: "1234.5678", price: "1234.5678", percent: "33.3333+12.5+0.0001+99.9999+5" },
    { qty: "0.0001", price: "99999999999.9999", percent: "55.05+3" },
    { qty: "99999999999.9999", price: "0.0001", percent: "100" },
    { qty: "1.5", price: "0.333", percent: "" },
    { qty: "2.0001", price: "0.0003", percent: "0.0001" },
  ], percent: "33.3333+0.0001" },
  // The largest gross 500 times: a subtotal of 5 000 000 000 000.
  { name: "500 lines of the largest gross", lines: Array.from({ length: 500 }, () => ({ qty: "1", price: "9999999999.9999", percent: "" })),
    percent: "33.3333", total: "3333335000000" },
];

for (const c of orderCases) {
  test(`order money to the last digit: ${c.name}`, async () => {
    const want = expected(c.lines, c.percent);
    if (c.total) assert.equal(want.get("total"), c.total, "the test's own arithmetic");
    const lines: OrderLineInput[] = c.lines.map((l) => ({
      product_id: productId, unit: "DUS", qty: Number(l.qty), price: Number(l.price), item_disc_percent: l.percent,
    }));
    const o = await client.POST("/extapi/v1.0/orders", {
      params: { query: { team_token: teamToken } },
      body: { date: "2026-03-02", customer_id: customerId, ordered_products: lines, disc_percent: c.percent },
    });
    assert.equal(o.response.status, 200, JSON.stringify(o.error));
    const got = await client.GET("/extapi/v1.0/orders/{id}", {
      params: { path: { id: String(o.data!.id) }, header: { "X-Team-Token": teamToken } },
    });
    assert.equal(got.response.status, 200);
    for (const order of [o.data!, got.data!]) {
      assert.deepEqual(Object.fromEntries(amounts(order)), Object.fromEntries(want));
    }
  });
}

test("typed 422 errors name the field", async () => {
  const cases: { name: string; line: Partial<OrderLineInput>; field: string; breaksSchema?: boolean }[] = [
    { name: "discount syntax", line: { qty: 1, price: 1, item_disc_percent: "10++5" }, field: "ordered_products[0].item_disc_percent", breaksSchema: true },
    { name: "gross over 10^10", line: { qty: 2, price: 5000000000 }, field: "ordered_products[0].qty" },
    { name: "gross over 15 digits", line: { qty: 12345.6789, price: 1234.5678 }, field: "ordered_products[0].qty" },
    { name: "discount amount over gross", line: { qty: 1, price: 10, item_disc_amount: 10.01 }, field: "ordered_products[0].item_disc_amount" },
  ];
  for (const c of cases) {
    const line = { product_id: productId, unit: "PCS", qty: 1, price: 1, ...c.line };
    const o = await client.POST("/extapi/v1.0/orders", {
      params: { query: { team_token: teamToken } },
      headers: c.breaksSchema ? skipValidation : {},
      body: { date: "2026-03-02", customer_id: customerId, ordered_products: [line] },
    });
    assert.equal(o.response.status, 422, c.name);
    const problem = o.error as Problem;
    assert.deepEqual(problem.errors?.map((e) => e.field), [c.field], c.name);
  }
});

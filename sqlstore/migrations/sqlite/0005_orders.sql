-- Orders (§6) and their lines. Money is exact decimal text.

INSERT INTO id_seq (name, last) VALUES ('orders', 0), ('order_lines', 0);

CREATE TABLE orders (
    db_id                 INTEGER NOT NULL,
    id                    INTEGER NOT NULL,
    date                  TEXT NOT NULL,   -- YYYY-MM-DD
    customer_id           INTEGER NOT NULL,
    team_id               INTEGER NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    disc_percent          TEXT NOT NULL DEFAULT '',
    disc_amount           TEXT NOT NULL DEFAULT '0',
    total_paid            TEXT NOT NULL DEFAULT '0',
    status                TEXT NOT NULL,
    visit_status          TEXT NOT NULL DEFAULT '',
    ext_order_no          TEXT NOT NULL DEFAULT '',
    ext_order_status_name TEXT NOT NULL DEFAULT '',
    subtotal              TEXT NOT NULL,
    discount              TEXT NOT NULL,
    total                 TEXT NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    PRIMARY KEY (db_id, id),
    FOREIGN KEY (db_id, customer_id) REFERENCES customers (db_id, id),
    FOREIGN KEY (db_id, team_id) REFERENCES teams (db_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX orders_updated ON orders (db_id, updated_at, id);
CREATE INDEX orders_customer ON orders (db_id, customer_id);
CREATE INDEX orders_team ON orders (db_id, team_id, id);
CREATE INDEX orders_date ON orders (db_id, date, id);
CREATE INDEX orders_ext_order_no ON orders (db_id, ext_order_no);

CREATE TABLE order_lines (
    db_id             INTEGER NOT NULL,
    order_id          INTEGER NOT NULL,
    line_no           INTEGER NOT NULL,  -- 0-based place in the order
    id                INTEGER NOT NULL,
    product_id        INTEGER NOT NULL,
    qty               TEXT NOT NULL,
    unit              TEXT NOT NULL,
    unit_ratio        INTEGER NOT NULL,
    price             TEXT NOT NULL,
    item_disc_percent TEXT NOT NULL DEFAULT '',
    item_disc_amount  TEXT NOT NULL DEFAULT '0',
    description       TEXT NOT NULL DEFAULT '',
    ext_order_line_id INTEGER,
    gross             TEXT NOT NULL,
    discount          TEXT NOT NULL,
    net               TEXT NOT NULL,
    PRIMARY KEY (db_id, order_id, line_no),
    FOREIGN KEY (db_id, order_id) REFERENCES orders (db_id, id) ON DELETE CASCADE,
    FOREIGN KEY (db_id, product_id) REFERENCES products (db_id, id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX order_lines_id ON order_lines (db_id, id);
CREATE INDEX order_lines_product ON order_lines (db_id, product_id);

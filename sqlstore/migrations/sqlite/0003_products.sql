-- Products (§4) and their tags.

INSERT INTO id_seq (name, last) VALUES ('products', 0);

CREATE TABLE products (
    db_id            INTEGER NOT NULL REFERENCES databases (db_id),
    id               INTEGER NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    sku              TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '[]', -- JSON array, as given (deduplicated)
    status           INTEGER NOT NULL DEFAULT 1,
    ext_product_code TEXT NOT NULL DEFAULT '',
    default_disc     TEXT NOT NULL DEFAULT '',
    qty_on_hand      TEXT NOT NULL,              -- exact decimal, as text
    product_units    TEXT NOT NULL,              -- JSON array of {name, price, ratio}; prices exact
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (db_id, id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX products_ext_product_code ON products (db_id, ext_product_code) WHERE ext_product_code <> '';
CREATE INDEX products_updated ON products (db_id, updated_at, id);
CREATE INDEX products_sku ON products (db_id, sku);

CREATE TABLE product_tags (
    db_id      INTEGER NOT NULL,
    tag        TEXT NOT NULL,
    product_id INTEGER NOT NULL,
    PRIMARY KEY (db_id, tag, product_id),
    FOREIGN KEY (db_id, product_id) REFERENCES products (db_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX product_tags_product ON product_tags (db_id, product_id);

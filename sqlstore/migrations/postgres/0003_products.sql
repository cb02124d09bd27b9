-- Products (§4) and their tags.

CREATE SEQUENCE products_id_seq;

CREATE TABLE products (
    db_id            BIGINT NOT NULL REFERENCES databases (db_id),
    id               BIGINT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    sku              TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '[]', -- JSON array, as given (deduplicated)
    status           BOOLEAN NOT NULL DEFAULT TRUE,
    ext_product_code TEXT NOT NULL DEFAULT '',
    default_disc     TEXT NOT NULL DEFAULT '',
    qty_on_hand      TEXT NOT NULL,              -- exact decimal, as text
    product_units    TEXT NOT NULL,              -- JSON array of {name, price, ratio}; prices exact
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (db_id, id)
);
CREATE UNIQUE INDEX products_ext_product_code ON products (db_id, ext_product_code) WHERE ext_product_code <> '';
CREATE INDEX products_updated ON products (db_id, updated_at, id);
CREATE INDEX products_sku ON products (db_id, sku);

CREATE TABLE product_tags (
    db_id      BIGINT NOT NULL,
    tag        TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    PRIMARY KEY (db_id, tag, product_id),
    FOREIGN KEY (db_id, product_id) REFERENCES products (db_id, id) ON DELETE CASCADE
);
CREATE INDEX product_tags_product ON product_tags (db_id, product_id);

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, LOCAL_KAFKA_BOOTSTRAP, loadConfig, sizeInBytes } from './config.ts';

describe('loadConfig', () => {
  it('has sensible defaults: the local broker and ./data/spend.duckdb', () => {
    const config = loadConfig({});
    expect(config.kafkaBrokers).toEqual([LOCAL_KAFKA_BOOTSTRAP]);
    expect(config.usesLocalBroker).toBe(true);
    expect(config.dbPath).toMatch(/\/data\/spend\.duckdb$/);
    expect(config.socketPath).toBe(`${config.dbPath}.sock`);
    expect(config.port).toBe(3000);
    expect(config.topics).toEqual({
      invoices: 'spend.invoices.v1',
      purchaseOrders: 'spend.purchase-orders.v1',
      deadLetter: 'spend.dead-letter.v1',
    });
  });

  it('reads the code lists shipped in reference/codelists by default; the variable overrides it', () => {
    const shipped = resolve(import.meta.dirname, '..', 'reference', 'codelists');
    expect(loadConfig({}).codelistsDir).toBe(shipped);
    expect(loadConfig({ SPEND_CODELISTS_DIR: '' }).codelistsDir).toBe(shipped);
    expect(loadConfig({ SPEND_CODELISTS_DIR: '/srv/codelists' }).codelistsDir).toBe('/srv/codelists');
    // the default is a folder of the repository, not of the workspace around it
    for (const file of ['cpv_codes.csv', 'proclass_17.csv']) {
      expect(existsSync(join(shipped, file)), file).toBe(true);
    }
  });

  it('treats an empty variable as unset (as in .env.example)', () => {
    expect(loadConfig({ KAFKA_BROKERS: '', SPEND_CRASH_AT: undefined }).usesLocalBroker).toBe(true);
  });

  it('stops with a message naming every bad variable', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', KAFKA_BROKERS: 'localhost', DUCKDB_MEMORY_LIMIT: 'lots' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT="eighty"/);
    expect(attempt).toThrow(/KAFKA_BROKERS="localhost": a comma-separated list of host:port/);
    expect(attempt).toThrow(/DUCKDB_MEMORY_LIMIT="lots"/);
  });

  it('keeps DuckDB memory within sense: at least 64MiB, at most the machine, sizes as DuckDB spells them', () => {
    // 64MB is 61 MiB
    expect(() => loadConfig({ DUCKDB_MEMORY_LIMIT: '64MB' })).toThrow(
      /DUCKDB_MEMORY_LIMIT="64MB": at least 64MiB/,
    );
    expect(loadConfig({ DUCKDB_MEMORY_LIMIT: '64MiB' }).duckdb.memoryLimit).toBe('64MiB');
    const moreThanTheMachine = `${Math.ceil(totalmem() / 2 ** 30) + 1}GiB`;
    expect(() => loadConfig({ DUCKDB_MEMORY_LIMIT: moreThanTheMachine })).toThrow(
      /at most this machine's memory/,
    );
    expect(loadConfig({ DUCKDB_MEMORY_LIMIT: '128MiB' }).duckdb.memoryLimit).toBe('128MiB');
    expect(loadConfig({}).duckdb.maxTempDirectorySize).toBe('10GiB');
    expect(() => loadConfig({ DUCKDB_MAX_TEMP_DIRECTORY_SIZE: 'plenty' })).toThrow(
      /DUCKDB_MAX_TEMP_DIRECTORY_SIZE="plenty"/,
    );
    expect(sizeInBytes('1.5 KiB')).toBe(1536);
  });

  it('SPEND_MEMORY_PROFILE=small fills in small memory settings the environment leaves unset', () => {
    const small = loadConfig({ SPEND_MEMORY_PROFILE: 'small' });
    expect(small.duckdb.memoryLimit).toBe('64MiB');
    expect(small.ingestFlushBytes).toBe(8 * 2 ** 20);
    expect(small.maxBytesPerPartition).toBe(512 * 1024);
    // what the environment sets wins over the profile
    const mixed = loadConfig({ SPEND_MEMORY_PROFILE: 'small', DUCKDB_MEMORY_LIMIT: '256MB' });
    expect(mixed.duckdb.memoryLimit).toBe('256MB');
    expect(mixed.ingestFlushBytes).toBe(8 * 2 ** 20);
    // no profile, or the default one: the defaults
    for (const env of [{}, { SPEND_MEMORY_PROFILE: 'default' }, { SPEND_MEMORY_PROFILE: '' }]) {
      const config = loadConfig(env);
      expect(config.duckdb.memoryLimit).toBe('1GB');
      expect(config.ingestFlushBytes).toBe(128 * 2 ** 20);
      expect(config.maxBytesPerPartition).toBe(4 * 2 ** 20);
    }
    expect(() => loadConfig({ SPEND_MEMORY_PROFILE: 'tiny' })).toThrow(/SPEND_MEMORY_PROFILE="tiny"/);
    expect(sizeInBytes('2GB')).toBe(2e9);
  });

  it('reads Kafka credentials only as a whole, and never sends a password in clear off this machine', () => {
    expect(loadConfig({}).kafkaAuth).toEqual({});
    const dir = mkdtempSync(join(tmpdir(), 'spend-config-'));
    try {
      const passwordFile = join(dir, 'password');
      writeFileSync(passwordFile, 'from-a-file\n');
      expect(
        loadConfig({
          KAFKA_BROKERS: '127.0.0.1:19092',
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'ingest',
          KAFKA_SASL_PASSWORD_FILE: passwordFile,
        }).kafkaAuth,
      ).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'ingest', password: 'from-a-file' } });
      const remote = {
        KAFKA_BROKERS: 'kafka.example.org:9093',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      };
      expect(() => loadConfig(remote)).toThrow(
        /SASL without TLS would send the password in clear to kafka.example.org:9093/,
      );
      expect(loadConfig({ ...remote, KAFKA_TLS: 'true' }).kafkaAuth).toEqual({
        sasl: { mechanism: 'plain', username: 'u', password: 'p' },
        tls: {},
      });
      expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toThrow(
        /exactly one of KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE/,
      );
      expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'kerberos' })).toThrow(
        /KAFKA_SASL_MECHANISM="kerberos"/,
      );
      expect(() => loadConfig({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toThrow(
        /KAFKA_SASL_MECHANISM is not/,
      );
      expect(() => loadConfig({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: join(dir, 'missing.pem') })).toThrow(
        /KAFKA_TLS_CA_FILE=.*missing\.pem/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the shared topic layout unless per-body is asked for, and reads the admin login only as a whole', () => {
    expect(loadConfig({})).toMatchObject({ topicLayout: 'shared', kafkaAdminAuth: undefined });
    expect(loadConfig({ SPEND_TOPIC_LAYOUT: 'per-body' }).topicLayout).toBe('per-body');
    expect(() => loadConfig({ SPEND_TOPIC_LAYOUT: 'per-user' })).toThrow(/SPEND_TOPIC_LAYOUT="per-user"/);
    const dir = mkdtempSync(join(tmpdir(), 'spend-config-'));
    try {
      const adminFile = join(dir, 'admin.password');
      writeFileSync(adminFile, 'admin-secret\n');
      const client = {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'ingest',
        KAFKA_SASL_PASSWORD: 'p',
      };
      expect(
        loadConfig({
          ...client,
          KAFKA_ADMIN_SASL_USERNAME: 'admin',
          KAFKA_ADMIN_SASL_PASSWORD_FILE: adminFile,
        }).kafkaAdminAuth,
      ).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' } });
      expect(() => loadConfig({ ...client, KAFKA_ADMIN_SASL_USERNAME: 'admin' })).toThrow(/go together/);
      expect(() =>
        loadConfig({ KAFKA_ADMIN_SASL_USERNAME: 'admin', KAFKA_ADMIN_SASL_PASSWORD_FILE: adminFile }),
      ).toThrow(/needs KAFKA_SASL_MECHANISM/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents every variable it reads in .env.example, and nothing else', () => {
    const documented = readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.slice(0, line.indexOf('=')))
      .sort();
    expect(documented).toEqual([...CONFIG_VARIABLES].sort());
  });
});

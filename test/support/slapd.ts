// Starts Debian's OpenLDAP slapd for a test on a loopback port, from an old-style slapd.conf in a temp
// directory, loaded with a fixture LDIF by slapadd; stopped by its PID.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const LDAP_SUFFIX = "dc=example,dc=org";
export const LDAP_ADMIN_DN = `cn=admin,${LDAP_SUFFIX}`;
export const LDAP_ADMIN_PASSWORD = "ldap-test-secret";

export interface Slapd {
  url: string;
  pid: number;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** A directory of `users` people under ou=people and nested groups under ou=groups. */
export function fixtureLdif(users: number): string {
  const out: string[] = [
    `dn: ${LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`,
    `dn: ou=people,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ou=groups,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n`,
  ];
  const dn = (i: number) => `uid=person${i},ou=people,${LDAP_SUFFIX}`;
  for (let i = 0; i < users; i++) {
    out.push(
      `dn: ${dn(i)}\nobjectClass: inetOrgPerson\nuid: person${i}\ncn: Person Number ${i}\nsn: Number${i}\nmail: person${i}@example.org\n` +
        `departmentNumber: Dept ${i % 5}\nphysicalDeliveryOfficeName: Room ${i % 11}\nemployeeNumber: EMP${i}\n`,
    );
  }
  // science ⊂ teachers ⊂ staff: staff's members include the teachers group, which includes science.
  const members = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `member: ${dn(from + k)}`).join("\n");
  out.push(`dn: cn=science,ou=groups,${LDAP_SUFFIX}\nobjectClass: groupOfNames\ncn: science\n${members(0, 10)}\n`);
  out.push(`dn: cn=teachers,ou=groups,${LDAP_SUFFIX}\nobjectClass: groupOfNames\ncn: teachers\nmember: cn=science,ou=groups,${LDAP_SUFFIX}\n${members(10, 30)}\n`);
  out.push(`dn: cn=staff,ou=groups,${LDAP_SUFFIX}\nobjectClass: groupOfNames\ncn: staff\nmember: cn=teachers,ou=groups,${LDAP_SUFFIX}\n${members(30, 50)}\n`);
  return out.join("\n");
}

export async function startSlapd(ldif: string): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), "quire-slapd-"));
  mkdirSync(join(dir, "db"));
  const conf = join(dir, "slapd.conf");
  writeFileSync(
    conf,
    [
      "include /etc/ldap/schema/core.schema",
      "include /etc/ldap/schema/cosine.schema",
      "include /etc/ldap/schema/inetorgperson.schema",
      "include /etc/ldap/schema/nis.schema",
      `pidfile ${join(dir, "slapd.pid")}`,
      "modulepath /usr/lib/ldap",
      "moduleload back_mdb",
      "database mdb",
      `suffix "${LDAP_SUFFIX}"`,
      `rootdn "${LDAP_ADMIN_DN}"`,
      `rootpw ${LDAP_ADMIN_PASSWORD}`,
      `directory ${join(dir, "db")}`,
      "maxsize 268435456",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "fixture.ldif"), ldif);
  const add = spawnSync("slapadd", ["-q", "-f", conf, "-l", join(dir, "fixture.ldif")], { encoding: "utf8" });
  if (add.status !== 0) throw new Error(`slapadd failed: ${add.stderr}`);
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}/`;
  execFileSync("slapd", ["-f", conf, "-h", url]);
  const deadline = Date.now() + 10_000;
  let pid = 0;
  for (;;) {
    try {
      pid = Number(readFileSync(join(dir, "slapd.pid"), "utf8").trim());
    } catch {
      pid = 0;
    }
    if (pid > 0 && (await canConnect(port))) break;
    if (Date.now() > deadline) throw new Error("slapd did not start within 10 s");
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `ldap://127.0.0.1:${port}`,
    pid,
    stop() {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        spawnSync("sleep", ["0.02"]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A third party's first hour with Waymark, through a client generated from
// openapi/v1.json by openapi-typescript and called with openapi-fetch: register, sign
// in with the password grant (a form, as OAuth clients send it), create goals, list
// them two pages deep following `Link` and `next_cursor`, and read a 422 as a problem
// document. Compiled with `tsc --strict`; run as `node dist/flow.js BASE_URL`.
import createClient from "openapi-fetch";
import type { components, paths } from "./waymark.js";

// Node's globals, without a dependency on @types/node for two of them.
declare const process: { argv: string[]; exitCode?: number };

type Problem = components["schemas"]["Problem"];

function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`TypeScript client: ${what}`);
  }
}

/** The `cursor` of a `Link: <...>; rel="next"` header, if it has one. */
function cursorOfLink(link: string | null): string | null {
  const target = link?.match(/^<([^>]+)>; rel="next"$/)?.[1];
  return target ? new URL(target, "http://link.invalid").searchParams.get("cursor") : null;
}

async function main(baseUrl: string): Promise<void> {
  const client = createClient<paths>({ baseUrl });
  const email = `ts-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
  const password = "a long walk by the river";

  const registered = await client.POST("/v1/auth/register", {
    body: { email, password, display_name: "Sam from TypeScript" },
  });
  check(registered.response.status === 201, `register answered ${registered.response.status}`);
  check(registered.data?.email === email, "register answers the account");

  const signIn = await client.POST("/v1/auth/token", {
    body: { grant_type: "password", username: email, password },
    bodySerializer: (fields) =>
      new URLSearchParams(
        Object.entries(fields).filter((field): field is [string, string] => typeof field[1] === "string"),
      ).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  check(signIn.response.status === 200 && signIn.data !== undefined, `sign-in answered ${signIn.response.status}`);
  const authorization = `Bearer ${signIn.data.access_token}`;

  for (const title of ["Walk to the park", "Call my sister", "Cook a proper dinner"]) {
    const created = await client.POST("/v1/goals", {
      body: { title, area: "health" },
      headers: { Authorization: authorization },
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    });
    check(created.response.status === 201, `create goal answered ${created.response.status}`);
    check(created.data?.title === title && created.data.version === 1, "the goal is answered");
    check(created.response.headers.get("Location") === `/v1/goals/${created.data.id}`, "Location names the goal");
  }

  const first = await client.GET("/v1/goals", {
    params: { query: { limit: 2 } },
    headers: { Authorization: authorization },
  });
  check(first.data !== undefined && first.data.items.length === 2, "the first page has two goals");
  const cursor = first.data.next_cursor;
  check(typeof cursor === "string", "the first page has a next_cursor");
  check(cursorOfLink(first.response.headers.get("Link")) === cursor, "Link names the same next page");

  const second = await client.GET("/v1/goals", {
    params: { query: { limit: 2, cursor } },
    headers: { Authorization: authorization },
  });
  check(second.data !== undefined && second.data.items.length === 1, "the second page has the last goal");
  check(second.data.next_cursor === null && second.response.headers.get("Link") === null, "the last page links nowhere");
  const titles = new Set([...first.data.items, ...second.data.items].map((goal) => goal.title));
  check(titles.size === 3, "the two pages hold every goal once");

  const invalid = await client.POST("/v1/goals", {
    body: { title: "", area: "health" },
    headers: { Authorization: authorization },
  });
  check(invalid.response.status === 422, `an empty title answered ${invalid.response.status}`);
  check(
    invalid.response.headers.get("Content-Type") === "application/problem+json",
    "a 422 is a problem document",
  );
  const problem: Problem | undefined = invalid.error;
  check(problem !== undefined && problem.status === 422, "the problem carries its status");
  check(problem.errors?.some((error) => error.pointer === "/title") === true, "the problem points at /title");
  console.log(`TypeScript client: ${titles.size} goals over two pages, and a 422 read as a problem document`);
}

main(process.argv[2] ?? "http://127.0.0.1:8080").catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

// Redis ACL users (our addition on the native API, after Amazon MemoryDB's User): a location
// resource, answered synchronously as MemoryDB's CreateUser is. Passwords are write-only: they
// are kept only as the SHA-256 Redis accepts, and a GET shows how many there are, never them.
import { z } from "zod";
import { outputOnly } from "./instance.js";
import { LocationParams, PageQuery } from "./requests.js";

/** 1-40 lowercase letters, digits or hyphens, starting with a letter (as resource ids are here);
 *  a Redis user name has no spaces, so it is also the name nodes know the user by. */
export const USER_ID = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const UserId = z
  .string()
  .max(40)
  .regex(USER_ID, "must be 1-40 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit");

/** MemoryDB's bounds (16-128), printable ASCII without spaces, so any client can send it. */
export const Password = z
  .string()
  .min(16, "a password has at least 16 characters")
  .max(128, "a password has at most 128 characters")
  .regex(/^[\x21-\x7e]+$/, "a password is printable ASCII without spaces");

export const AuthenticationMode = z
  .strictObject({
    type: z.enum(["PASSWORD", "NO_PASSWORD"]).optional().meta({ description: "PASSWORD (the default) or NO_PASSWORD (any password, or none, logs in)." }),
    passwords: z
      .array(Password)
      .min(1)
      .max(2)
      .optional()
      .meta({
        writeOnly: true,
        description:
          "Write-only. 1 or 2 passwords with PASSWORD (two allow a rotation: set [old, new], move clients to the new one, then set [new]); " +
          "none with NO_PASSWORD. Never shown: see passwordCount.",
      }),
    passwordCount: outputOnly(z.number().int(), "Output only. How many passwords the user has."),
  })
  .meta({ id: "AuthenticationMode" });

/** What a user's authentication shows: its type and how many passwords, never them. */
export const UserAuthentication = z
  .object({
    type: z.enum(["PASSWORD", "NO_PASSWORD"]),
    passwordCount: z.number().int().meta({ description: "How many passwords the user has (0-2)." }),
  })
  .meta({ id: "UserAuthentication" });

export const UserStatus = z.enum(["ACTIVE"]);

/** The user as a create or an update sends it (and as a GET shows it, passwords aside: a client
 *  may send a User back, its output-only fields are ignored). */
export const UserRequest = z
  .strictObject({
    name: outputOnly(z.string().max(300), "projects/{project}/locations/{location}/users/{user}"),
    accessString: z
      .string()
      .max(4096)
      .optional()
      .meta({
        description:
          "Required on create. Redis ACL rules without passwords: on/off, ~pattern, %R~ / %W~ / %RW~pattern, allkeys, resetkeys, &channel, " +
          "allchannels, resetchannels, +@category, -@category, +command, -command, +command|subcommand, allcommands, nocommands, reset. " +
          "A user without 'on' cannot log in (Redis's rule). A cluster client also needs +cluster|slots (and +cluster|info for some " +
          "clients). A rule that is not one is INVALID_ARGUMENT naming it.",
      }),
    authenticationMode: AuthenticationMode.optional().meta({ description: "Required on create." }),
    status: outputOnly(UserStatus, "Output only. ACTIVE: every change is on its way to the nodes (within a second; see the deployments' ACL_APPLIED events)."),
    aclNames: outputOnly(z.array(z.string()), "Output only. The ACLs the user is in."),
    createTime: outputOnly(z.iso.datetime(), "Output only."),
    updateTime: outputOnly(z.iso.datetime(), "Output only."),
  })
  .meta({ id: "UserRequest", description: "cacheplane addition, after MemoryDB's CreateUser: a Redis ACL user as it is sent." });
export type UserRequest = z.infer<typeof UserRequest>;

/** The user as every response shows it: the request's shape with the passwords left out by
 *  construction (as MemoryDB's User has Authentication {Type, PasswordCount}). */
export const User = UserRequest.extend({ authenticationMode: UserAuthentication.optional() }).meta({
  id: "User",
  description: "cacheplane addition, after MemoryDB's User: a Redis ACL user of this location.",
});
export type User = z.infer<typeof User>;

export const USER_UPDATABLE_FIELDS = {
  accessString: "access_string",
  authenticationMode: "authentication_mode",
} as const;

export const UserParams = LocationParams.extend({ user: UserId });
export const CreateUserQuery = z.strictObject({ userId: UserId });
export const UpdateUserQuery = z.strictObject({ updateMask: z.string().min(1, "updateMask is required").max(512) });
export const ListUsersQuery = PageQuery;

export const ListUsersResponse = z.object({ users: z.array(User), nextPageToken: z.string().optional() }).meta({ id: "ListUsersResponse" });

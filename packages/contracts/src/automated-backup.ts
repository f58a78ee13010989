// Automated backups, as Memorystore for Redis Cluster configures them (instances take the same
// field, as our addition): a daily backup at a UTC time of day, kept for `retention`.
import { z } from "zod";

const DAY_S = 86_400;
export const AutomatedBackupConfig = z
  .strictObject({
    automatedBackupMode: z.enum(["AUTOMATED_BACKUP_MODE_UNSPECIFIED", "DISABLED", "ENABLED"]).optional().meta({ description: "DISABLED by default." }),
    fixedFrequencySchedule: z
      .strictObject({
        startTime: z.strictObject({
          hours: z.number().int().min(0).max(23).optional(),
          minutes: z.number().int().min(0).max(59).optional(),
          seconds: z.number().int().min(0).max(59).optional(),
          nanos: z.number().int().min(0).max(999_999_999).optional(),
        }),
      })
      .optional()
      .meta({ description: "Required when ENABLED: one backup a day, at this UTC time of day." }),
    retention: z
      .string()
      .regex(/^\d{1,9}s$/, "must be a duration in whole seconds, such as '3024000s'")
      .refine((v) => Number(v.slice(0, -1)) >= DAY_S && Number(v.slice(0, -1)) <= 365 * DAY_S, "must be between 1 day and 365 days")
      .optional()
      .meta({ description: "How long each automated backup is kept: 1 to 365 days (default 35 days)." }),
  })
  .meta({ id: "AutomatedBackupConfig" });
export type AutomatedBackupConfig = z.infer<typeof AutomatedBackupConfig>;

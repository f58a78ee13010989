-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "maintenanceSchedule" JSONB;

-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "maintenanceVersion" TEXT,
ADD COLUMN     "redisVersion" TEXT;

-- CreateTable
CREATE TABLE "MaintenanceRelease" (
    "version" TEXT NOT NULL,
    "releaseTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MaintenanceRelease_pkey" PRIMARY KEY ("version")
);


-- Nodes made before upgrades existed run their instance's version, at the built-in maintenance
-- version: recorded now, so a later upgrade of the instance sees them as outdated.
UPDATE "Node" SET "redisVersion" = i."spec"->>'redisVersion', "maintenanceVersion" = '20261101_00_00'
FROM "Instance" i WHERE "Node"."instanceUid" = i."uid";

-- DropIndex
DROP INDEX "Instance_projectId_locationId_instanceId_key";

-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "failoverShard" INTEGER,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'INSTANCE';

-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "shard" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE UNIQUE INDEX "Instance_projectId_locationId_kind_instanceId_key" ON "Instance"("projectId", "locationId", "kind", "instanceId");


-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "slotRanges" JSONB;

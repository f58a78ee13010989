-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "expireTime" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "state" TEXT NOT NULL DEFAULT 'CREATING';

-- CreateIndex
CREATE INDEX "Instance_expireTime_idx" ON "Instance"("expireTime");


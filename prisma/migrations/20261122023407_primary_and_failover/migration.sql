-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "failoverMode" TEXT,
ADD COLUMN     "primaryNodeId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Instance_host_port_key" ON "Instance"("host", "port");


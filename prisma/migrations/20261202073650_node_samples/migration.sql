-- CreateTable
CREATE TABLE "NodeSample" (
    "instanceUid" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "role" TEXT NOT NULL,
    "values" JSONB NOT NULL,

    CONSTRAINT "NodeSample_pkey" PRIMARY KEY ("nodeId","time")
);

-- CreateIndex
CREATE INDEX "NodeSample_instanceUid_time_idx" ON "NodeSample"("instanceUid", "time");

-- CreateIndex
CREATE INDEX "NodeSample_time_idx" ON "NodeSample"("time");

-- AddForeignKey
ALTER TABLE "NodeSample" ADD CONSTRAINT "NodeSample_instanceUid_fkey" FOREIGN KEY ("instanceUid") REFERENCES "Instance"("uid") ON DELETE CASCADE ON UPDATE CASCADE;


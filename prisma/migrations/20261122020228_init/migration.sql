-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Project" (
    "id" TEXT NOT NULL,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "projects" TEXT[],
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokeTime" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Instance" (
    "uid" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "authString" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "observedGeneration" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL,
    "statusMessage" TEXT NOT NULL DEFAULT '',
    "host" TEXT,
    "port" INTEGER,
    "deleteRequested" BOOLEAN NOT NULL DEFAULT false,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "leaseEpoch" INTEGER NOT NULL DEFAULT 0,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updateTime" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "Node" (
    "id" TEXT NOT NULL,
    "instanceUid" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "zone" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "driver" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "dataDir" TEXT NOT NULL,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "instanceUid" TEXT,
    "target" TEXT NOT NULL,
    "verb" TEXT NOT NULL,
    "targetGeneration" INTEGER NOT NULL,
    "requestId" TEXT,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "statusDetail" TEXT NOT NULL DEFAULT '',
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "error" JSONB,
    "response" JSONB,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endTime" TIMESTAMP(3),

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" BIGSERIAL NOT NULL,
    "instanceUid" TEXT NOT NULL,
    "time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "Instance_state_idx" ON "Instance"("state");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_projectId_locationId_instanceId_key" ON "Instance"("projectId", "locationId", "instanceId");

-- CreateIndex
CREATE UNIQUE INDEX "Node_host_port_key" ON "Node"("host", "port");

-- CreateIndex
CREATE UNIQUE INDEX "Node_instanceUid_ordinal_key" ON "Node"("instanceUid", "ordinal");

-- CreateIndex
CREATE INDEX "Operation_projectId_locationId_createTime_idx" ON "Operation"("projectId", "locationId", "createTime");

-- CreateIndex
CREATE INDEX "Operation_instanceUid_done_idx" ON "Operation"("instanceUid", "done");

-- CreateIndex
CREATE UNIQUE INDEX "Operation_projectId_requestId_key" ON "Operation"("projectId", "requestId");

-- CreateIndex
CREATE INDEX "Event_instanceUid_time_idx" ON "Event"("instanceUid", "time");

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Node" ADD CONSTRAINT "Node_instanceUid_fkey" FOREIGN KEY ("instanceUid") REFERENCES "Instance"("uid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_instanceUid_fkey" FOREIGN KEY ("instanceUid") REFERENCES "Instance"("uid") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_instanceUid_fkey" FOREIGN KEY ("instanceUid") REFERENCES "Instance"("uid") ON DELETE CASCADE ON UPDATE CASCADE;


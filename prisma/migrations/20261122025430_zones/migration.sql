-- CreateTable
CREATE TABLE "Zone" (
    "locationId" TEXT NOT NULL,
    "zone" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "updateTime" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Zone_pkey" PRIMARY KEY ("locationId","zone")
);


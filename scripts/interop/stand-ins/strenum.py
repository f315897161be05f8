from enum import StrEnum
